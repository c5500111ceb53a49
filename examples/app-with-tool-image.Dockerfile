# How a user's Dockerfile takes btfpack: the static CLI from the btfpack tool image
# (docker/tool.Dockerfile, FROM scratch, one file: /btfpack) copied into a build stage that packs
# the archive's BTFs for the app's BPF object at build time; the runtime image gets the app, its
# object and the pack (no btfpack, no archive). Here the app is examples/exec_monitor, built
# beforehand (your CI's build), handed over as a build context.
#
# Build (contexts: `app` = a directory with exec_monitor and example_exec.o; `archive` = a
# BTFHub-archive tree <distro>/<version>/<arch>/<kernel>.btf[.tar.xz]; BTFPACK_IMAGE = the
# tool image's tag):
#   docker build -f examples/app-with-tool-image.Dockerfile -t my-app \
#     --build-arg BTFPACK_IMAGE=btfpack --build-context app=DIR --build-context archive=DIR examples
# Run: like the repository's Dockerfile (docker run --rm --privileged ... my-app --root /host).
ARG BTFPACK_IMAGE=btfpack
FROM ${BTFPACK_IMAGE} AS btfpack
# replaced by --build-context app=DIR and --build-context archive=DIR
FROM scratch AS app
FROM scratch AS archive

FROM debian:12-slim AS pack
COPY --from=btfpack /btfpack /usr/local/bin/btfpack
# the archive and the object are bind-mounted into this step only, never copied into a layer
RUN --mount=type=bind,from=archive,target=/archive --mount=type=bind,from=app,target=/app \
    btfpack build /archive /app/example_exec.o -o /btfs.pack \
 && btfpack verify /btfs.pack --against /archive --objs /app/example_exec.o \
 && btfpack ls /btfs.pack

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libbpf1 libzstd1 libelf1 zlib1g \
 && rm -rf /var/lib/apt/lists/*
# exec_monitor finds example_exec.o and btfs.pack next to itself
COPY --from=app /exec_monitor /example_exec.o /app/
COPY --from=pack /btfs.pack /app/btfs.pack
ENTRYPOINT ["/app/exec_monitor"]
CMD ["--root", "/host"]
