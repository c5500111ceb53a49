# exec_monitor (examples/) in a small image: a libbpf app that finds its host's BTF in a btfpack
# pack when the kernel ships none. Needs BuildKit (Docker 23+ default builder), whose built-in
# frontend has RUN --mount and named build contexts: no `# syntax=` line, so nothing is pulled
# but the base images (debian:12, debian:12-slim). Built and run by ctest docker_images.
#
# Build (the pack is made from the `archive` context: testdata/kernels unless overridden):
#   docker build -t exec-monitor .
#   docker build -t exec-monitor --build-context archive=/srv/btfhub-archive .
# Build args:
#   VERIFY_SAMPLE  kernels re-checked against the archive's full BTF after packing
#                  (default 10; 0 = none; all = every kernel)
#   STRICT         1 = an unreadable kernel file fails the build (default 0: skipped, warned)
#   JOBS           btfpack build workers (default: all cores)
# The archive (<distro>/<version>/<arch>/<kernel>.btf[.tar.xz]) is bind-mounted read-only into
# the build step, never copied into a layer.
#
# Run (the host's os-release must be visible under --root; uname is the host's already):
#   docker run --rm --privileged \
#     -v /etc/os-release:/host/etc/os-release:ro -v /sys/kernel/btf:/host/sys/kernel/btf:ro \
#     exec-monitor [--root /host] [--no-kernel-btf] [--count N] [--timeout S]

# The archive to pack; replaced by `--build-context archive=DIR`.
FROM scratch AS archive
COPY testdata/kernels/ /

FROM debian:12 AS build
# build dependencies: the same list as scripts/setup.sh (its own layer, cached); not the newer
# libbpf that only the fidelity tests use, nor the packaging and Docker tools
COPY scripts/setup.sh scripts/debian_mirror.sh /src/scripts/
RUN BTFPACK_LIBBPF_NEW=0 BTFPACK_PACKAGING=0 bash /src/scripts/setup.sh && rm -rf /var/lib/apt/lists/*
COPY . /src
# btfpack, the BPF objects and the app, in a build tree of their own (not a copied build/); not
# the large test object (bpf/large: a minute of clang, no use in the image)
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DBTFPACK_BPF_LARGE=OFF \
 && cmake --build /build -j"$(nproc)" --target btfpack bpf_objects exec_monitor
ARG VERIFY_SAMPLE=10
ARG STRICT=0
ARG JOBS=
# pack + btfpack verify + app and object -> /out
RUN --mount=type=bind,from=archive,target=/archive \
    BUILD_DIR=/build VERIFY_SAMPLE="$VERIFY_SAMPLE" STRICT="$STRICT" JOBS="$JOBS" \
    bash /src/scripts/docker-build-stage.sh /archive /out

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libbpf1 libzstd1 libelf1 zlib1g \
 && rm -rf /var/lib/apt/lists/*
# exec_monitor, example_exec.o, btfs.pack: the app finds the other two next to itself
COPY --from=build /out/ /app/
ENTRYPOINT ["/app/exec_monitor"]
CMD ["--root", "/host"]
