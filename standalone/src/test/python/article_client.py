# The client of the article this project grew from ("Python WinError 10054: An existing connection
# was forcibly closed by the remote host"), exactly as printed there, changed only to take the
# server's host and port from the command line: python3 article_client.py HOST PORT
import socket
import sys
# Client-side code
try:
    client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client_socket.connect((sys.argv[1], int(sys.argv[2])))
    client_socket.sendall(b'Hello, server!')
    response = client_socket.recv(1024)
    print('Received', repr(response))
except socket.error as e:
    print(f"Socket error: {e}")
finally:
    client_socket.close()
