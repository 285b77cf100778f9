"""A real SMTP server on loopback for the tests: every message is saved as an .eml file.

    smtp_sink.py HOST PORT DIRECTORY [--starttls CERT KEY | --implicit-tls CERT KEY] [--auth USER:PASSWORD]

Plain by default. With --starttls the server offers STARTTLS and refuses mail until the client
has used it; with --implicit-tls it speaks TLS from the first byte (SMTPS). With --auth it
refuses mail until the client has signed in (AUTH PLAIN or LOGIN) with that user and password,
which it accepts only over TLS. Each saved message
starts with lines the tests read: X-Envelope-To (the RCPT TO addresses), X-Sink-Connection (one
id per TCP connection, so a test can tell how many connections a batch used) and X-Sink-Tls (the
TLS version of the connection, or "none"). A recipient whose address begins with "refused-" is
refused at RCPT TO with 550, as a relay refuses a mailbox or domain it knows does not exist, so
tests can see what one undeliverable address does to the mail around it.
"""
import argparse
import asyncio
import os
import ssl
import sys
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refused-"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # The SMTP protocol object lives as long as the connection (the session is replaced
        # after STARTTLS), so the connection id is kept on it.
        connection = getattr(server, "portal_connection", None)
        if connection is None:
            connection = server.portal_connection = uuid.uuid4().hex
        tls = server.transport.get_extra_info("ssl_object") if server.transport else None
        name = os.path.join(self.directory, f"{uuid.uuid4().hex}.eml")
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(b"X-Sink-Connection: " + connection.encode() + b"\r\n")
            f.write(b"X-Sink-Tls: " + (tls.version() if tls else "none").encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, name)
        return "250 Message accepted"


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Credentials:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (self.user, self.password)
        return AuthResult(success=ok, handled=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("directory")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    args = parser.parse_args()

    options = {}
    if args.starttls:
        options.update(tls_context=tls_context(*args.starttls), require_starttls=True)
    if args.implicit_tls:
        options.update(ssl_context=tls_context(*args.implicit_tls))
    if args.auth:
        user, password = args.auth.split(":", 1)
        options.update(authenticator=Credentials(user, password), auth_required=True)
    controller = Controller(SaveToDirectory(args.directory), hostname=args.host, port=args.port, **options)
    controller.start()
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
