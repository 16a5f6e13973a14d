"""Compressed HTML, fragments and text downloads: brotli when offered, else gzip.

Django's GZipMiddleware does gzip (with its random-length padding against BREACH);
this adds brotli, a third smaller on our pages, and skips what compresses badly
or is compressed already (XLSX, DOCX and QDPX are zip files; WhiteNoise sends
static files pre-compressed). django-compression-middleware does the same but
has had no release since 2023; this is forty lines over Django's own.
"""

import re

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

try:
    import brotli
except ImportError:  # brotli is a dependency; without it, gzip only
    brotli = None

COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|xml|javascript|xhtml\+xml)|image/svg\+xml)", re.IGNORECASE
)
# Quality 5: most of brotli's gain at gzip's speed; 11 is for files compressed once.
BROTLI_QUALITY = 5


def accepts(header: str, coding: str) -> bool:
    """Whether Accept-Encoding offers `coding` (with a q-value above zero)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _brotli_stream(chunks):
    compressor = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        # A flush per chunk lets a streamed download arrive as it is written.
        data = compressor.process(chunk) + compressor.flush()
        if data:
            yield data
    yield compressor.finish()


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if response.has_header("Content-Encoding") or not COMPRESSIBLE.match(content_type):
            return response
        offered = request.META.get("HTTP_ACCEPT_ENCODING", "")
        if brotli is None or getattr(response, "is_async", False) or not accepts(offered, "br"):
            return super().process_response(request, response)
        if not response.streaming and len(response.content) < 200:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.streaming:
            response.streaming_content = _brotli_stream(response.streaming_content)
            del response.headers["Content-Length"]
        else:
            compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
            if len(compressed) >= len(response.content):
                return response
            response.content = compressed
            response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
