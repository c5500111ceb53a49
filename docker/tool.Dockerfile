# The btfpack CLI alone: one fully static binary (cmake target btfpack_static) in an empty image.
# Build (the context is the directory holding only that binary):
#   cmake --build build --target btfpack_static
#   docker build -t btfpack -f docker/tool.Dockerfile build/tool-image
# Use it in your own Dockerfile's build stage (any base image, any libc):
#   COPY --from=btfpack /btfpack /usr/local/bin/btfpack
# or run it: docker run --rm -v "$PWD:/w" -w /w btfpack build archive/ prog.o -o btfs.pack
FROM scratch
COPY btfpack /btfpack
ENTRYPOINT ["/btfpack"]
