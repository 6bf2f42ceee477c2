#!/usr/bin/python3
"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The compose file must describe the topology that scripts/cluster starts as local processes: per member
one etcd member (mutual TLS to peers and clients), one PostgreSQL and one rxledgerd that depends on
both; and the node configurations `rxledger dev-cluster --compose` writes must name exactly those
services. Run by ctest (label cluster): compose_test.py --source DIR --rxledger BINARY.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--rxledger", required=True)
    args = parser.parse_args()

    with open(os.path.join(args.source, "docker-compose.yml")) as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    declared_volumes = set((compose.get("volumes") or {}).keys())
    members = 3  # scripts/cluster up's default
    expected = {f"{kind}-{i}" for i in range(1, members + 1) for kind in ("etcd", "postgres", "node")}
    check(set(services) == expected, f"services are {sorted(services)}, expected {sorted(expected)}")

    for name, service in services.items():
        check("healthcheck" in service and service["healthcheck"].get("test"), f"{name} has no health check")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                check(source in declared_volumes, f"{name} uses volume {source} that is not declared")
            else:
                check(volume == "./var/compose:/etc/rxledger:ro", f"{name} mounts {volume}; the TLS folder goes read-only at /etc/rxledger")

    peer_urls = {f"etcd-{i}=https://etcd-{i}:2380" for i in range(1, members + 1)}
    for i in range(1, members + 1):
        etcd = services.get(f"etcd-{i}", {})
        flags = etcd.get("command", [])
        check("--client-cert-auth" in flags and "--peer-client-cert-auth" in flags, f"etcd-{i} does not require client certificates")
        cluster = [flag.split("=", 1)[1] for flag in flags if flag.startswith("--initial-cluster=")]
        check(len(cluster) == 1 and set(cluster[0].split(",")) == peer_urls, f"etcd-{i} has initial cluster {cluster}")
        check(f"--advertise-client-urls=https://etcd-{i}:2379" in flags, f"etcd-{i} does not advertise https://etcd-{i}:2379")
        check(any(v.endswith(":/var/lib/rxledger/etcd") for v in etcd.get("volumes", [])), f"etcd-{i} keeps no data volume")
        postgres = services.get(f"postgres-{i}", {})
        check(any(v.endswith(":/var/lib/postgresql/data") for v in postgres.get("volumes", [])), f"postgres-{i} keeps no data volume")
        check(str(postgres.get("image", "")).endswith("bookworm"), f"postgres-{i} is not Debian 12 based")
        node = services.get(f"node-{i}", {})
        depends = node.get("depends_on", {})
        for needed in (f"etcd-{i}", f"postgres-{i}"):
            check(depends.get(needed, {}).get("condition") == "service_healthy", f"node-{i} does not wait for a healthy {needed}")
        check(node.get("command") == ["rxledgerd", "--config", f"/etc/rxledger/nodes/node-{i}.json"], f"node-{i} runs {node.get('command')}")
        ports = node.get("ports", [])
        check(len(ports) == 1 and ports[0].startswith("127.0.0.1:") and ports[0].endswith(":8443"), f"node-{i} publishes {ports}")

    # The node configurations for compose name these services, and match scripts/cluster's in all but addresses.
    with tempfile.TemporaryDirectory() as compose_dir, tempfile.TemporaryDirectory() as local_dir:
        for folder, extra in ((compose_dir, ["--compose"]), (local_dir, [])):
            subprocess.run([args.rxledger, "dev-cluster", "--dir", folder, "--nodes", str(members)] + extra,
                           check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(compose_dir, "consortium.json")) as f:
            genesis = json.load(f)
        check([n["url"] for n in genesis["nodes"]] == [f"https://node-{i}:8443" for i in range(1, members + 1)],
              f"the genesis lists node URLs {[n['url'] for n in genesis['nodes']]}")
        for i in range(1, members + 1):
            with open(os.path.join(compose_dir, "nodes", f"node-{i}.json")) as f:
                config = json.load(f)
            with open(os.path.join(local_dir, "nodes", f"node-{i}.json")) as f:
                local = json.load(f)
            check(set(config) == set(local), f"node-{i}: compose and scripts/cluster configure different options")
            check(config["orderer"] == "etcd" == local["orderer"], f"node-{i} does not order through etcd")
            check(urlparse(config["etcd_url"]).hostname == f"etcd-{i}", f"node-{i} talks to {config['etcd_url']}")
            check(urlparse(config["etcd_url"]).hostname in services, f"node-{i}'s etcd is not a service")
            host = re.search(r"host=(\S+)", config["database"]).group(1)
            check(host == f"postgres-{i}" and host in services, f"node-{i} uses database host {host}")
            check(config["port"] == 8443 and config["listen_address"] == "0.0.0.0", f"node-{i} listens on {config['listen_address']}:{config['port']}")
            for key, value in config.items():
                if isinstance(value, str) and value.startswith("/etc/rxledger/"):
                    path = os.path.join(compose_dir, value[len("/etc/rxledger/"):])
                    check(os.path.isfile(path), f"node-{i}'s {key} names {value}, which the generated folder lacks")
        for i in range(1, members + 1):
            for suffix in (".crt", ".key"):
                check(os.path.isfile(os.path.join(compose_dir, "etcd", f"etcd-{i}{suffix}")), f"no etcd-{i}{suffix}")

    # The image is Debian 12 with the packages the scripts install.
    with open(os.path.join(args.source, "Dockerfile")) as f:
        dockerfile = f.read()
    with open(os.path.join(args.source, "scripts", "lib", "common.sh")) as f:
        common = f.read()
    check(re.search(r"^FROM debian:12", dockerfile, re.M) is not None, "the Dockerfile is not Debian 12 based")
    check("etcd-server" in dockerfile, "the image has no etcd-server")
    script_packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]*-dev\b", common))
    for package in re.findall(r"\b(lib[a-z0-9.+-]*-dev)\b", dockerfile):
        check(package in script_packages, f"the Dockerfile builds with {package}, which scripts/lib/common.sh does not install")

    for failure in failures:
        print("FAIL:", failure)
    print(f"compose_test: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
