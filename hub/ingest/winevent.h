/* winevent — Windows events in the three shapes shippers send them (the
 * transit step "winevent"; ward-parsers(5), "Built-in parsers"). */
#ifndef WARD_WINEVENT_H
#define WARD_WINEVENT_H

#include <jansson.h>

/*
 * Bring the normalized event ev to the one shape ward keeps Windows
 * events in, whichever way it came:
 *
 *   NXLog       EventID, Channel, SourceName, Hostname... and every
 *               EventData field at the top (so in details after
 *               normalization)
 *   Winlogbeat  winlog.event_id, .channel, .provider_name,
 *               .computer_name, .record_id, .event_data.*, .user_data.*
 *   evtx_dump   Event.System.{EventID, Channel, Computer, EventRecordID,
 *               Provider.#attributes.Name, TimeCreated.#attributes.
 *               SystemTime, Execution.#attributes.ProcessID},
 *               Event.EventData.*, Event.UserData.*.*
 *
 * The shape: details.EventID (an integer), details.Channel,
 * details.Provider_Name, details.EventRecordID, every EventData (and
 * UserData) field as text under details.<Name>; hostname the Computer,
 * utctimestamp the event's time, processname the provider when the event
 * names no program, category from the channel (ward-parsers(5)), the
 * summary the rendered message when one was sent, else a line made of
 * the channel, the event ID and its telling fields.  Returns 1 when ev
 * was one, 0 when not, -1 when out of memory.
 */
int	 winevent_apply(json_t *ev);

#endif
