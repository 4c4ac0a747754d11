# jim-edge appliance image: a multi-stage build on Debian 12 (bookworm).
#
#   docker build -t jim-edge .
#   docker run -p 8080:8080 -v jimdata:/data -e JIM_INFRASTRUCTURE_API_KEY=jim_ak_<64 hex> jim-edge
#
# BASE_IMAGE exists so that machines without a registry can build on a locally made base
# (tests/container/run.sh passes localhost/debian:bookworm-slim-local, made by
# scripts/setup-container.sh with mmdebstrap). Real users keep the default.
ARG BASE_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
# Build stage: the Debian 12 build packages, installed by the same script as on a host
# (scripts/setup.sh --build-only: g++ cmake make pkg-config and the six -dev packages),
# a Release build of the jim-edge target only (no tests, no benches), stripped.
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
# Only setup.sh is copied here, so source edits do not invalidate the package layer.
COPY scripts/setup.sh /tmp/setup.sh
RUN bash /tmp/setup.sh --build-only \
 && apt-get install -y --no-install-recommends ccache \
 && rm -rf /var/lib/apt/lists/* /tmp/setup.sh
# -j2: the reference machines have 2 cores; override with --build-arg JOBS=n.
ARG JOBS=2
WORKDIR /src
COPY . .
# Compiler output is cached by ccache in a cache mount (BuildKit and buildah/podman both support
# it): it survives between image builds on one machine, so a source change recompiles only the
# translation units whose preprocessed content changed. ccache keys on content, not mtimes, so a
# different checkout (CI next to a working tree) can never pick up stale objects; the build tree
# itself is fresh every time.
ENV CCACHE_DIR=/ccache CCACHE_MAXSIZE=2G
RUN --mount=type=cache,id=jim-edge-ccache,target=/ccache,sharing=locked \
    ccache --zero-stats > /dev/null \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJIM_BUILD_TESTS=OFF -DJIM_BUILD_BENCH=OFF \
          -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
 && cmake --build build --target jim-edge -j"${JOBS}" \
 && { ccache --show-stats | sed -n 's/^ *\(Hits\|Misses\): */ccache \1: /p' || true; } \
 && install -D -m 0755 -s build/cmd/jim-edge /out/jim-edge \
 && /out/jim-edge --help > /dev/null

# ---------------------------------------------------------------------------------------------
# Runtime stage: only the shared libraries the binary links (from `ldd build/cmd/jim-edge`:
# librocksdb.so.7.8, libcpp-httplib.so.0.11, libssl.so.3 + libcrypto.so.3, libsimdjson.so.14, libpq.so.5
# (the PostgreSQL backend's client library);
# their own dependencies, such as snappy, lz4, zstd, brotli and gflags, come with the packages),
# a non-root user and the data volume. No compiler, no curl: the health check is the binary's
# own `healthcheck` subcommand.
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libsimdjson14 librocksdb7.8 libssl3 libpq5 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --gid 10001 jim \
 && useradd --uid 10001 --gid jim --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin jim \
 && mkdir -p /data \
 && chown jim:jim /data \
 && chmod 0700 /data

# All metadata comes before the binary, so a rebuild that only changes the binary commits one
# layer (image layers are full copies under podman's vfs storage driver).
ENV JIM_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
WORKDIR /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["jim-edge", "healthcheck"]
ENTRYPOINT ["jim-edge"]
CMD ["serve"]
USER jim:jim
COPY --from=build /out/jim-edge /usr/local/bin/jim-edge
