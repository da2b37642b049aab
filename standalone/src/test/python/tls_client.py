# The article's client over TLS, as a Python program that verifies its server would write it:
# python3 tls_client.py HOST PORT CAFILE [strict]. It sends a greeting, reads until the end of the
# stream, and prints what it received or the exception it got, with its class. With "strict", an
# end of the stream without close_notify raises (suppress_ragged_eofs=False); by default, as
# wrap_socket's default does, it is read as an end of the stream.
import socket
import ssl
import sys

context = ssl.create_default_context(cafile=sys.argv[3])
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as raw:
        strict = len(sys.argv) > 4 and sys.argv[4] == 'strict'
        with context.wrap_socket(raw, server_hostname='localhost', suppress_ragged_eofs=not strict) as tls:
            tls.sendall(b'Hello, server!')
            received = b''
            while True:
                chunk = tls.recv(1024)
                if not chunk:
                    break
                received += chunk
            print('Received', repr(received))
except OSError as e:
    print(f"{type(e).__name__}: {e}")
