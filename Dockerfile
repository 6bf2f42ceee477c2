# rxledger on Debian 12, from the same Debian packages the scripts install. One image plays every part of
# a consortium member in docker-compose.yml: the node (rxledgerd), its etcd member (Debian's etcd-server)
# and the rxledger CLI. PostgreSQL runs from the official Debian 12 based postgres:15-bookworm image.
#
#   docker build -t rxledger .
#   ./scripts/cluster compose && docker compose up     (see docs/consortium.md)

FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev \
      libssl-dev libpqxx-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY ledger ledger
COPY server server
COPY schemas schemas
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRXL_TESTS=OFF \
 && ninja -C build -j2 rxledgerd rxledger

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libboost-json1.81.0 libboost-url1.81.0 \
      libboost-program-options1.81.0 libpqxx-6.4 libfmt9 libssl3 etcd-server curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/rxledger --create-home rxledger
COPY --from=build /src/build/server/rxledgerd /src/build/server/rxledger /usr/local/bin/
USER rxledger
EXPOSE 8443 2379 2380
HEALTHCHECK --interval=5s --timeout=3s --retries=12 CMD curl -kfsS https://localhost:8443/healthz || exit 1
CMD ["rxledgerd", "--config", "/etc/rxledger/node.json"]
