# The Python baseline: the stdlib SimpleXMLRPCServer, one thread per connection, HTTP/1.1 keep-alive,
# serving the benchmark's read methods from a dict.
# argv: token user-count; prints the port on stdout, then serves until killed.
import socketserver
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

TOKEN = sys.argv[1]
USER_COUNT = int(sys.argv[2])


def username(i):
    return "user%05d" % i


USERS = {}
for i in range(1, USER_COUNT + 1):
    name = username(i)
    USERS[name] = {
        "full-name": "User %05d" % i,
        "email": name + "@example.edu",
        "department": "Department %d" % (i % 40),
        "office": "Building %d" % (i % 12),
        "balance": "0.0",
        "restricted": "false",
        "primary-card-number": "C%05d" % i,
        "print-stats.job-count": "0",
        "disabled-print": "false",
        "notes": "",
    }
NAMES = sorted(USERS)


def check(token):
    if token != TOKEN:
        raise Exception("Authentication failed")


def is_user_exists(token, name):
    check(token)
    return name in USERS


def get_user_properties(token, name, properties):
    check(token)
    user = USERS[name]
    return [user[p] for p in properties]


def list_user_accounts(token, offset, limit):
    check(token)
    return NAMES[offset:offset + limit]


class Handler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"
    rpc_paths = ("/rpc/api/xmlrpc",)
    # The load generator does not ask for gzip; never compress, like the other servers.
    encode_threshold = None


class Server(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # The load generator drops its connections at the end of each slice; that is not an error.
        pass


server = Server(("127.0.0.1", 0), requestHandler=Handler, logRequests=False, allow_none=False)
server.register_function(is_user_exists, "api.isUserExists")
server.register_function(get_user_properties, "api.getUserProperties")
server.register_function(list_user_accounts, "api.listUserAccounts")
print(server.server_address[1], flush=True)
server.serve_forever()
