"""HTTP to the city: pinned TLS, bounded bodies, strict JSON, and errors sorted by what to do next."""

from __future__ import annotations

import email.utils
import json
import random
import ssl
import time
from dataclasses import dataclass

from app import __version__
from app.sync import CLIENT_PROTOCOL

MAX_RESPONSE = 16 * 1024 * 1024
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class SyncError(Exception):
    """Base of everything a sync attempt can fail with; `retryable` says whether to back off."""

    retryable = True


class Unreachable(SyncError):
    """No answer at all: offline, refused, reset, timed out, or a TLS failure."""


@dataclass
class HttpStatus(SyncError):
    status: int
    code: str = ""
    message: str = ""
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(f"HTTP {self.status} {self.code} {self.message}".strip())

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status in RETRYABLE


class CertificateRejected(Unreachable):
    """The server's certificate is not the pinned one (or not trusted at all)."""

    retryable = False


def _tls_failure(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class ProtocolViolation(SyncError):
    """The server answered something the protocol does not allow; nothing of it is applied."""

    retryable = True


class TooLarge(ProtocolViolation):
    retryable = False


class PinMismatch(SyncError):
    retryable = False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else None


def pinned_context(pem: str) -> ssl.SSLContext:
    """Trust exactly the pinned certificate (a self-signed server cert or the city's own CA)."""
    ctx = ssl.create_default_context(cadata=pem)
    ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return ctx


class CityClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        pin_pem: str | None = None,
        timeout: float = 20.0,
        retries: int = 3,
        retry_base: float = 0.5,
    ) -> None:
        self.retries = retries
        self.retry_base = retry_base
        verify: ssl.SSLContext | bool = pinned_context(pin_pem) if pin_pem else True
        headers = {
            "X-XinDang-Protocol": str(CLIENT_PROTOCOL),
            "X-XinDang-Client": __version__,
            "User-Agent": f"XinDang/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        import httpx  # loaded when the city is first contacted, not with the window

        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            verify=verify,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CityClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(
        self, method: str, path: str, *, json_body=None, params=None, headers: dict | None = None
    ) -> tuple[int, object]:
        """(status, parsed JSON) for 2xx; raises a SyncError for everything else.

        Transient failures are retried a few times with full-jitter backoff (every call in the
        protocol is idempotent); what still fails ends the session and the schedule backs off.
        """
        for attempt in range(self.retries + 1):
            try:
                return self._once(method, path, json_body=json_body, params=params, headers=headers)
            except SyncError as exc:
                if not exc.retryable or attempt == self.retries:
                    raise
                wait = random.uniform(0, self.retry_base * 2**attempt)
                retry_after = getattr(exc, "retry_after", None)
                time.sleep(min(30.0, max(wait, retry_after or 0.0)))
        raise AssertionError("unreachable")

    def _once(
        self, method: str, path: str, *, json_body=None, params=None, headers: dict | None = None
    ) -> tuple[int, object]:
        """(status, parsed JSON) for 2xx; raises a SyncError for everything else."""
        import httpx

        content = None
        hdrs = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            with self._http.stream(method, path, content=content, params=params, headers=hdrs) as r:
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > MAX_RESPONSE:
                    raise TooLarge(
                        f"response of {declared} bytes refused: larger than the protocol allows"
                    )
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > MAX_RESPONSE:
                        raise TooLarge("response larger than the protocol allows")
                    chunks.append(chunk)
                body = b"".join(chunks)
                status = r.status_code
                retry_after = _retry_after(r.headers.get("retry-after"))
        except httpx.HTTPError as exc:
            if _tls_failure(exc):
                raise CertificateRejected("certificate rejected") from exc
            raise Unreachable(type(exc).__name__) from exc
        except ssl.SSLError as exc:
            raise Unreachable("TLS") from exc
        try:
            doc = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError) as exc:
            if 200 <= status < 300:
                raise ProtocolViolation("malformed JSON") from exc
            doc = None
        if not 200 <= status < 300:
            code = doc.get("error", "") if isinstance(doc, dict) else ""
            message = doc.get("message", "") if isinstance(doc, dict) else ""
            raise HttpStatus(status, str(code)[:80], str(message)[:200], retry_after)
        return status, doc
