#!/usr/bin/env python3
# A webhook receiver that never answers: it accepts every connection, reads whatever is
# sent, and holds the connection open. bench/run's "receiver that never answers" case.
#   silent_receiver.py PORT
import socket
import sys
import threading


def drain(connection):
    while connection.recv(65536):
        pass


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(128)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=drain, args=(connection,), daemon=True).start()
