"""TLS to a ModelGate server: verify the server, optionally present a client certificate.

A server started with ``modelgate serve --tls-cert FILE --tls-key FILE`` speaks
the protocol inside TLS 1.2 or 1.3 and names it in ALPN as ``modelgate/1``.
The client always verifies the server's certificate (against ``ca_file``, else
the system's trust store) and its name (``server_name``, else the host dialled);
there is deliberately no switch to turn verification off: a development server
gets a CA from ``modelgate tls self-signed --out DIR`` to verify against.

::

    ws = Workspace.get("ml-prod", server="models.example.com:7070",
                       tls=TlsOptions(ca_file="tls/ca.pem"))
    ws = Workspace.get("ml-prod", server="10.0.0.5:7070", tls=True)   # system trust store
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Optional, Union

from .errors import ModelGateError

#: The ALPN protocol id the client offers; the server refuses a TLS client offering anything else.
ALPN_PROTOCOL = "modelgate/1"

# OpenSSL's verify codes (x509_vfy.h) for a certificate issued to another name or address.
_X509_V_ERR_HOSTNAME_MISMATCH = 62
_X509_V_ERR_IP_ADDRESS_MISMATCH = 64


@dataclass(frozen=True)
class TlsOptions:
    """How to connect over TLS.

    Attributes:
        ca_file: PEM file of the CA(s) that issued the server's certificate
            (default: the system's trust store).
        server_name: the name the certificate must carry, also sent as SNI
            (default: the host dialled; an IP address is checked against the
            certificate's IP addresses and sends no SNI).
        cert_file, key_file: a client certificate and its key, for a server
            that requires one (``--tls-client-ca``). key_file may be omitted
            when cert_file holds both.
    """

    ca_file: Optional[str] = None
    server_name: Optional[str] = None
    cert_file: Optional[str] = None
    key_file: Optional[str] = None

    def __post_init__(self) -> None:
        if self.key_file and not self.cert_file:
            raise ModelGateError("INVALID_ARGUMENT", "TLS key_file given without cert_file")
        if self.server_name is not None and not self.server_name.strip():
            raise ModelGateError("INVALID_ARGUMENT", "TLS server_name is empty")

    @classmethod
    def from_environment(cls) -> Optional["TlsOptions"]:
        """TLS options from MODELGATE_TLS (1/true/yes), MODELGATE_TLS_CA, MODELGATE_TLS_SERVER_NAME,
        MODELGATE_TLS_CERT and MODELGATE_TLS_KEY; None (plaintext) when none of them is set."""
        env = os.environ
        flag = env.get("MODELGATE_TLS", "").strip().lower()
        if flag in ("0", "false", "no", "off"):
            return None
        if flag not in ("", "1", "true", "yes", "on"):
            raise ModelGateError("INVALID_ARGUMENT", f"MODELGATE_TLS is '{env['MODELGATE_TLS']}': expected 1 or 0")
        names = ("MODELGATE_TLS_CA", "MODELGATE_TLS_SERVER_NAME", "MODELGATE_TLS_CERT", "MODELGATE_TLS_KEY")
        if not flag and not any(env.get(name) for name in names):
            return None
        return cls(ca_file=env.get("MODELGATE_TLS_CA") or None,
                   server_name=env.get("MODELGATE_TLS_SERVER_NAME") or None,
                   cert_file=env.get("MODELGATE_TLS_CERT") or None,
                   key_file=env.get("MODELGATE_TLS_KEY") or None)

    def context(self) -> ssl.SSLContext:
        """An SSLContext for these options: TLS 1.2+, server verified, ALPN ``modelgate/1``.

        Raises ModelGateError INVALID_ARGUMENT naming the file that cannot be used.
        """
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols([ALPN_PROTOCOL])
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as error:
                raise ModelGateError("INVALID_ARGUMENT",
                                     f"cannot load TLS CA file '{self.ca_file}': {_reason(error)}") from None
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        if self.cert_file:
            try:
                context.load_cert_chain(self.cert_file, self.key_file)
            except (OSError, ssl.SSLError) as error:
                files = f"'{self.cert_file}'" + (f" and key '{self.key_file}'" if self.key_file else "")
                raise ModelGateError("INVALID_ARGUMENT",
                                     f"cannot load TLS client certificate {files}: {_reason(error)}") from None
        return context


TlsArgument = Union[bool, TlsOptions, None]


def resolve(tls: TlsArgument, context: Optional[ssl.SSLContext]) -> tuple[Optional[ssl.SSLContext], Optional[TlsOptions]]:
    """The SSLContext to connect with (None: plaintext) and the options it came from.

    ``tls`` True means TlsOptions() (system trust store), False plaintext, None
    the environment (TlsOptions.from_environment). An explicit ``context``
    wins over all of them; it must offer ALPN ``modelgate/1`` itself.
    """
    if context is not None:
        return context, tls if isinstance(tls, TlsOptions) else None
    if tls is None:
        options = TlsOptions.from_environment()
    elif tls is True:
        options = TlsOptions()
    elif tls is False:
        options = None
    elif isinstance(tls, TlsOptions):
        options = tls
    else:
        raise ModelGateError("INVALID_ARGUMENT", f"tls must be True, False or a TlsOptions, not {type(tls).__name__}")
    return (options.context() if options else None), options


def server_hostname(host: str, options: Optional[TlsOptions]) -> str:
    """The name to verify (and send as SNI unless it is an IP address)."""
    name = options.server_name if options and options.server_name else host
    return name.strip("[]")


def handshake_error(host: str, port: int, error: BaseException, options: Optional[TlsOptions],
                    name: str) -> ModelGateError:
    """A ModelGateError UNAVAILABLE that says why a TLS connection failed and what to change."""
    where = f"{host}:{port}"
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or _reason(error)
        if error.verify_code in (_X509_V_ERR_HOSTNAME_MISMATCH, _X509_V_ERR_IP_ADDRESS_MISMATCH):
            return ModelGateError("UNAVAILABLE", f"TLS to {where}: the server's certificate is not valid for "
                                                 f"'{name}' ({reason}); connect by a name the certificate "
                                                 f"carries or set server_name")
        trust = f"CA file '{options.ca_file}'" if options and options.ca_file else "the system trust store"
        return ModelGateError("UNAVAILABLE", f"TLS to {where}: the server's certificate is not trusted by "
                                             f"{trust} ({reason}); pass the CA that issued it as ca_file")
    reason = _reason(error)
    hint = ""
    if "CERTIFICATE_REQUIRED" in reason.upper() or "HANDSHAKE_FAILURE" in reason.upper() \
            or "BAD_CERTIFICATE" in reason.upper() or "UNKNOWN_CA" in reason.upper():
        hint = "; the server may require a client certificate it trusts (cert_file, key_file)"
    elif "WRONG_VERSION_NUMBER" in reason.upper() or "RECORD_LAYER_FAILURE" in reason.upper():
        hint = "; is the server serving TLS on this port?"
    elif "NO_APPLICATION_PROTOCOL" in reason.upper():
        hint = f"; the server does not speak ALPN '{ALPN_PROTOCOL}'"
    return ModelGateError("UNAVAILABLE", f"TLS to {where} failed: {reason}{hint}")


def _reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
