/* version — one place for ward's version and its wire protocol name. */
#ifndef WARD_VERSION_H
#define WARD_VERSION_H

#define WARD_VERSION		"0.1.0"
/* The WebSocket subprotocol.  Bump it if the wire messages change
   incompatibly. */
#define WARD_PROTOCOL		"ward.v3"

#endif
