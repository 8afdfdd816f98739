"""Test-only TLS fixtures shared by the Python, C and Go clients' end-to-end tests.

- ``certs DIR``: a test CA and a server certificate it signed (SAN localhost and
  127.0.0.1), a second, unrelated CA (to be refused), and a client certificate
  signed by the first CA, all made by the ``openssl`` binary (EC P-256):
  ca.pem, cert.pem + key.pem (server), other-ca.pem, client.pem + client-key.pem.
- ``proxy --upstream HOST:PORT --cert F --key F [--client-ca F]``: a TLS
  terminator in front of a plaintext ``modelgate serve``; it prints its port on
  the first line of stdout and runs until killed. It accepts TLS 1.2+ only,
  insists that the client offered ALPN ``modelgate/1`` (closing the connection
  otherwise), and with --client-ca requires a client certificate issued by it.

It stands in for ``modelgate serve --tls-cert/--tls-key`` until the server
serves TLS itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

ALPN = "modelgate/1"


def make_certs(directory: str | os.PathLike) -> Path:
    """Writes the test certificates into directory (created if needed) and returns it."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, cwd=out, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def ca(name: str, subject: str) -> None:
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}-key.pem", "-out", f"{name}.pem", "-days", "30", "-subj", subject,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def leaf(name: str, key: str, subject: str, extensions: str) -> None:
        (out / f"{name}.ext").write_text(extensions + "subjectKeyIdentifier=hash\n"
                                         "authorityKeyIdentifier=keyid,issuer\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", f"{name}.csr", "-subj", subject)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "30", "-extfile", f"{name}.ext")
        (out / f"{name}.csr").unlink()
        (out / f"{name}.ext").unlink()

    ca("ca", "/CN=ModelGate test CA")
    ca("other-ca", "/CN=Unrelated test CA")
    leaf("cert", "key.pem", "/CN=localhost",
         "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n")
    leaf("client", "client-key.pem", "/CN=modelgate test client",
         "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
    return out


def server_context(cert: str, key: str, client_ca: str | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols([ALPN])
    context.load_cert_chain(cert, key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


def _pipe(source: socket.socket, destination: socket.socket) -> None:
    try:
        while data := source.recv(1 << 16):
            destination.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, destination):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve_one(client: socket.socket, upstream: tuple[str, int], context: ssl.SSLContext) -> None:
    tls = context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
    try:
        tls.do_handshake()  # sends the alert when it fails
    except (OSError, ssl.SSLError):
        # Read what the client still sends before closing: closing with unread
        # data resets the connection, and the client might never see the alert.
        try:
            tls.shutdown(socket.SHUT_WR)
            tls.settimeout(5)
            while tls.recv(4096):
                pass
        except OSError:
            pass
        tls.close()
        return
    with tls:
        if tls.selected_alpn_protocol() != ALPN:
            return  # a client that did not offer modelgate/1
        try:
            plain = socket.create_connection(upstream)
        except OSError:
            return
        with plain:
            other = threading.Thread(target=_pipe, args=(plain, tls), daemon=True)
            other.start()
            _pipe(tls, plain)
            other.join()


def serve_proxy(upstream_host: str, upstream_port: int, context: ssl.SSLContext) -> None:
    """Blocking sockets, a thread per direction: OpenSSL writes its alerts straight to the socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_serve_one, args=(client, (upstream_host, upstream_port), context),
                         daemon=True).start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    certs = commands.add_parser("certs")
    certs.add_argument("directory")
    proxy = commands.add_parser("proxy")
    proxy.add_argument("--upstream", required=True)
    proxy.add_argument("--cert", required=True)
    proxy.add_argument("--key", required=True)
    proxy.add_argument("--client-ca")
    args = parser.parse_args(argv)
    if args.command == "certs":
        make_certs(args.directory)
        return 0
    host, _, port = args.upstream.rpartition(":")
    context = server_context(args.cert, args.key, args.client_ca)
    try:
        serve_proxy(host, int(port), context)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
