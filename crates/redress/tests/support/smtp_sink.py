#!/usr/bin/env python3
"""A real SMTP server on loopback for the email tests (aiosmtpd 1.4.6, from PyPI).

Each message received is written whole (as the client sent it, headers and all) to its own file in
OUT_DIR, named so that they sort in the order received, before the server answers DATA. So a message
the server has taken is counted even when the client never hears the answer.

    smtp_sink.py OUT_DIR --port N [--delay-data SECONDS] [--data-reply "550 5.1.1 No such user"]

--delay-data: wait this long after taking a message before answering 250 (to kill a client mid-send).
--data-reply: answer DATA with this reply instead, and keep nothing.
Prints "listening on PORT" once it accepts connections; runs until killed.

    smtp_sink.py --read FILE

prints a message received as JSON (parsed by Python's email package): from, to, subject, message_id, the
plain-text body, and each attachment's file name, media type and SHA-256.
"""

import argparse
import asyncio
import email
import email.policy
import hashlib
import json
import os
import sys
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out_dir, delay, reply):
        self.out_dir = out_dir
        self.delay = delay
        self.reply = reply

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml"
        partial = os.path.join(self.out_dir, name + ".part")
        with open(partial, "wb") as f:
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(partial, os.path.join(self.out_dir, name))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Message accepted for delivery"


def read(path):
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    attachments = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        attachments.append({
            "name": part.get_filename(),
            "content_type": part.get_content_type(),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
    print(json.dumps({
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "text": body.get_content() if body is not None else "",
        "attachments": attachments,
    }))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--read":
        return read(sys.argv[2])
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-data", type=float, default=0.0)
    parser.add_argument("--data-reply", default="")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    handler = Sink(args.out_dir, args.delay_data, args.data_reply)
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"listening on {args.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
