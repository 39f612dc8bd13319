# sqslite in a container: listens on 0.0.0.0:9324 inside it, as a non-root user.
# Build: docker build -t sqslite .
# Run:   docker run --rm -p 9324:9324 sqslite

FROM python:3.12.8-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/sqslite
# The pinned dependencies come first, so that a change to the source alone
# reuses this layer.
COPY docker/requirements.txt /tmp/requirements.txt
RUN /opt/sqslite/bin/pip install --no-cache-dir -r /tmp/requirements.txt
COPY pyproject.toml README.md /src/
COPY sqslite /src/sqslite
COPY compat /src/compat
RUN /opt/sqslite/bin/pip install --no-cache-dir --no-deps /src

FROM python:3.12.8-slim-bookworm
COPY --from=build /opt/sqslite /opt/sqslite
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin sqslite \
    && mkdir /data \
    && chown sqslite /data
ENV PATH=/opt/sqslite/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SQSLITE_HOST=0.0.0.0 \
    SQSLITE_PORT=9324
# For --db (SQSLITE_DB=/data/sqslite.db); without it messages stay in memory.
VOLUME /data
WORKDIR /data
USER 10001
EXPOSE 9324
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sqslite/health' % os.environ.get('SQSLITE_PORT', '9324'), timeout=2)"]
ENTRYPOINT ["sqslite"]
CMD ["serve"]
