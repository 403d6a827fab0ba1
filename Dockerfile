# Build: the Swift toolchain and libpq's headers.
FROM swift:6.2-jammy AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift VERSION ./
COPY Plugins ./Plugins
COPY Sources ./Sources
COPY Tests ./Tests
# Built into the binary (the EmbedFiles plugin): the migrations and the demo's seeds.
COPY sql ./sql
COPY seeds ./seeds
RUN swift build -c release --product headway --static-swift-stdlib

# Run: the binary (its migrations and seeds inside it) and libpq.
FROM ubuntu:22.04
# curl: the API service's healthcheck (docker-compose.yml) asks /readyz with it.
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/headway /usr/local/bin/headway
USER nobody
ENTRYPOINT ["headway"]
CMD ["db", "migrate"]
