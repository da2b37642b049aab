# A small HTTP/1.1-ish upload server, the server under test of the standalone jar's --connect mode:
#   python3 upload_server.py [--deadline SECONDS] [--port PORT]
# It prints 'listening on 127.0.0.1:PORT', then for each connection 'from 127.0.0.1:PORT: connected'
# and, when it is done with it, one line saying what it received and how it ended on its side:
#   from 127.0.0.1:PORT: received N B, then ConnectionResetError: [Errno 104] Connection reset by peer
#   from 127.0.0.1:PORT: received N B, then EOF before the request was complete
#   from 127.0.0.1:PORT: received N B, then its 1.0 s request deadline passed (TimeoutError); answered 408
#   from 127.0.0.1:PORT: received N B, the whole request (POST /upload, 100 B body); answered 201
# A request is a head up to \r\n\r\n and a Content-Length body. 'GET /download' is answered with
# 64 MiB; a send that cannot go on within the deadline ends with TimeoutError:
#   from 127.0.0.1:PORT: received N B, the whole request (GET /download); sent M body bytes of 67108864, then TimeoutError: timed out
# --deadline bounds the whole request (and each send of a response); 0, the default, waits forever.
import argparse
import socket
import socketserver
import sys
import threading
import time

DOWNLOAD = 64 * 1024 * 1024

printing = threading.Lock()


def log(line):
    with printing:
        print(line, flush=True)


class Incomplete(Exception):
    pass


class Handler(socketserver.BaseRequestHandler):

    def handle(self):
        sock = self.request
        peer = '%s:%d' % self.client_address[:2]
        deadline = self.server.deadline
        ends = time.monotonic() + deadline if deadline else None
        received = bytearray()
        log(f'from {peer}: connected')

        def more():
            if ends is not None:
                left = ends - time.monotonic()
                if left <= 0:
                    raise TimeoutError('timed out')
                sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                raise Incomplete()
            received.extend(chunk)

        try:
            while b'\r\n\r\n' not in received:
                more()
            head_end = received.index(b'\r\n\r\n') + 4
            lines = received[:head_end].decode('latin-1').split('\r\n')
            method, target = (lines[0].split(' ') + ['', ''])[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(':')
                if name.strip().lower() == 'content-length':
                    length = int(value.strip())
            while len(received) < head_end + length:
                more()
        except ConnectionResetError as e:
            log(f'from {peer}: received {len(received)} B, then ConnectionResetError: {e}')
            return
        except Incomplete:
            log(f'from {peer}: received {len(received)} B, then EOF before the request was complete')
            return
        except TimeoutError:
            log(f'from {peer}: received {len(received)} B, then its {deadline} s request deadline passed'
                f' (TimeoutError); answered 408')
            self.answer(b'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
            return
        if method == 'GET' and target == '/download':
            self.download(peer, len(received), deadline)
            return
        log(f'from {peer}: received {len(received)} B, the whole request ({method} {target}, {length} B body);'
            f' answered 201')
        body = b'stored %d bytes\n' % length
        self.answer(b'HTTP/1.1 201 Created\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' % (len(body), body))

    def answer(self, response):
        try:
            self.request.settimeout(5)
            self.request.sendall(response)
        except OSError:
            pass  # the client went away: nothing more to say

    def download(self, peer, received, deadline):
        sock = self.request
        sock.settimeout(deadline or None)
        chunk = b'x' * 65536
        sent = 0
        head = b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % DOWNLOAD
        try:
            sock.sendall(head)
            while sent < DOWNLOAD:
                sent += sock.send(chunk[:DOWNLOAD - sent])
            outcome = 'all sent'
        except OSError as e:
            outcome = f'then {type(e).__name__}: {e}'
        log(f'from {peer}: received {received} B, the whole request (GET /download); sent {sent} body bytes of'
            f' {DOWNLOAD}, {outcome}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--deadline', type=float, default=0)
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    with socketserver.ThreadingTCPServer(('127.0.0.1', args.port), Handler) as server:
        server.deadline = args.deadline
        log('listening on 127.0.0.1:%d' % server.server_address[1])
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    sys.exit(main())
