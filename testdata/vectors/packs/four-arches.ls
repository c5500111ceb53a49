debian/11/x86_64/5.10.0-32-amd64	blob 0
debian/12/arm64/6.1.0-50-arm64	blob 1
debian/12/x86_64/6.1.0-50-amd64	blob 2
debian/13/s390x/6.12.107+deb13-s390x	blob 3
