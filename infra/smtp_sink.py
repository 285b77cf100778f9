"""A real SMTP server on loopback for the tests: every message is saved as an .eml file.

    smtp_sink.py HOST PORT DIRECTORY [--starttls CERT KEY | --implicit-tls CERT KEY]

Plain by default. With --starttls the server offers STARTTLS and refuses mail until the client
has used it; with --implicit-tls it speaks TLS from the first byte (SMTPS). Each saved message
starts with lines the tests read: X-Envelope-To (the RCPT TO addresses), X-Sink-Connection (one
id per TCP connection, so a test can tell how many connections a batch used) and X-Sink-Tls (the
TLS version of the connection, or "none").
"""
import asyncio
import os
import ssl
import sys
import uuid

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

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


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else None
    handler = SaveToDirectory(directory)
    if mode == "--starttls":
        context = tls_context(sys.argv[5], sys.argv[6])
        controller = Controller(handler, hostname=host, port=port, tls_context=context, require_starttls=True)
    elif mode == "--implicit-tls":
        context = tls_context(sys.argv[5], sys.argv[6])
        controller = Controller(handler, hostname=host, port=port, ssl_context=context)
    elif mode is None:
        controller = Controller(handler, hostname=host, port=port)
    else:
        sys.exit(f"unknown option {mode}")
    controller.start()
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
