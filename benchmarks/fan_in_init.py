"""Which proxies want fan-in scaled weights? Spearman ρ at N(0, 1) and at N(0, 1/fan-in) re-initialisation.

Scores ``--n`` archs of the NAS-Bench-201 table (seeded sample) on ``--net`` (default the
reduced C = 8, N = 1 network of the league table), one re-initialisation, once with each
setting of ``Proxy.fan_in_init``::

    python benchmarks/fan_in_init.py snip grad_norm fisher plain synflow grasp
    python benchmarks/fan_in_init.py grasp --net C=16,N=5      # NB201's own scoring network
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from evonas import get_proxy, get_space, load_images
from evonas.cli import parse_net_args
from evonas.correlation import rank_agreement, read_table, select_rows
from evonas.errors import ProxyError
from evonas.fitness import score

TABLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "nb201_cifar10.csv"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("proxies", nargs="+")
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--net", default="C=8,N=1", help="network arguments (default: the league table's reduced net)")
    args = p.parse_args()
    torch.set_num_threads(1)
    space = get_space("nb201")
    rows = select_rows(read_table(args.table), args.n, seed=0)
    batch = load_images(None, samples=16)
    nets = [space.build(arch, **parse_net_args(args.net)) for arch in rows["arch"]]
    for name in args.proxies:
        rhos = []
        for fan_in in (False, True):
            proxy = get_proxy(name)
            proxy.fan_in_init = fan_in
            scores, accs = [], []
            for net, acc in zip(nets, rows["acc"]):
                try:
                    scores.append(proxy.direction * score(proxy, net, batch, repeats=1, seed=0))
                    accs.append(acc)
                except ProxyError:
                    pass
            rhos.append(f"{rank_agreement(scores, accs)[0]:+.3f} (n {len(scores)})")
        print(f"{name:12s} N(0, 1): {rhos[0]}   N(0, 1/fan-in): {rhos[1]}", flush=True)


if __name__ == "__main__":
    main()
