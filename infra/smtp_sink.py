"""A real SMTP server on loopback for the tests: every message is saved as an .eml file."""
import asyncio
import os
import sys
import uuid

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.directory, f"{uuid.uuid4().hex}.eml")
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, name)
        return "250 Message accepted"


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    controller = Controller(SaveToDirectory(directory), hostname=host, port=port)
    controller.start()
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
