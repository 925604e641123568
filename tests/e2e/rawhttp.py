"""Send raw bytes to the hub and print what comes back (for the HTTP
framing tests: pipelined, truncated and slow requests, which curl will not
send).

  rawhttp.py PORT [--idle S] [--trickle S]  < request
Sends the request (standard input), then reads until the hub closes
(printed as <EOF>; <RST> for a reset) or stays silent S seconds (<IDLE>,
default 2).  With --trickle, everything after the headers is sent one byte
every S seconds, as a slowloris would, until the hub closes.
  rawhttp.py PORT --hold N
Opens N connections, prints how many the hub accepted and kept open a
second later, and closes them."""
import socket
import sys
import time


def read_all(s, idle):
    s.settimeout(idle)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return out + b"<EOF>"
            out += b
    except socket.timeout:
        return out + b"<IDLE>"
    except ConnectionResetError:
        return out + b"<RST>"


def main():
    port = int(sys.argv[1])
    args = sys.argv[2:]
    idle, trickle, hold = 2.0, None, None
    while args:
        if args[0] == "--idle":
            idle = float(args[1])
        elif args[0] == "--trickle":
            trickle = float(args[1])
        elif args[0] == "--hold":
            hold = int(args[1])
        args = args[2:]
    if hold is not None:
        socks = []
        for _ in range(hold):
            s = socket.create_connection(("127.0.0.1", port))
            socks.append(s)
        time.sleep(1)
        alive = 0
        for s in socks:
            s.setblocking(False)
            try:
                alive += s.recv(1) != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        print(alive)
        return
    data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", port))
    if trickle is None:
        s.sendall(data)
        sys.stdout.buffer.write(read_all(s, idle))
        return
    head, sep, body = data.partition(b"\r\n\r\n")
    s.sendall(head + sep)
    try:
        for i in range(len(body)):
            s.sendall(body[i:i + 1])
            time.sleep(trickle)
    except OSError:
        pass
    sys.stdout.buffer.write(read_all(s, idle))


main()
