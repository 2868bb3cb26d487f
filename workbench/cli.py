"""The command line: parses arguments, calls the pipeline and steps, prints where things are.

Input problems become one message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from .backend import BackendError
from .io import InputError

EXIT_INPUT = 2


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "cpu", "gpu"],
        help="dataframe and clustering backend (default: auto = GPU when RAPIDS and a GPU are there)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="THEIR=OURS",
        help="map a column of your accounts file onto the contract's name; repeatable",
    )
    p.add_argument(
        "--case-map",
        action="append",
        default=[],
        metavar="THEIR=OURS",
        help="the same for the cases file",
    )
    p.add_argument(
        "--region",
        default="US",
        help="default phone region for numbers without a country code (US, GB, MX, CA, ...)",
    )
    p.add_argument(
        "--min-lead-score",
        type=float,
        default=None,
        help="only write leads at or above this score (default 0.5)",
    )
    p.add_argument(
        "--risk-config", default=None, help="a copy of risk.toml with your own weights and lexicons"
    )
    p.add_argument("--no-trends", action="store_true", help="skip UMAP/HDBSCAN clustering (faster)")
    p.add_argument("--seed", type=int, default=0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Trafficking-network analyst workbench (synthetic-data demo: workbench demo)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write a synthetic world: accounts.csv, cases.csv, truth.csv")
    p.add_argument("--out", required=True)
    p.add_argument("--accounts", type=int, default=5000)
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("run", help="run the whole pipeline and write every output file")
    p.add_argument("--accounts", required=True, help="accounts file (.csv, .parquet, .jsonl)")
    p.add_argument("--cases", default=None, help="cases file (known subjects, missing children)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--pseudonymise",
        default=None,
        metavar="KEY",
        help="replace phones, emails, handles, payments and wallets in every output with keyed hashes "
        "(or set WORKBENCH_PSEUDONYMISE_KEY)",
    )
    p.add_argument(
        "--engine",
        default="local",
        choices=["local", "dask"],
        help="local: this process; dask: extract, link and watch on a Dask cluster (needs workbench[dask])",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --engine dask: an existing cluster's scheduler, e.g. tcp://host:8786 "
        "(default: a local cluster of 2 worker processes)",
    )
    _add_run_args(p)

    p = sub.add_parser(
        "notebook", help="run a templated notebook with parameters (papermill) into a folder"
    )
    p.add_argument("name", help="notebook name, e.g. 00_quickstart (see notebooks/)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--out", required=True)

    p = sub.add_parser("hash-images", help="hash every image in a folder (pHash, PDQ) into a CSV")
    p.add_argument("folder")
    p.add_argument(
        "--out", required=True, help="CSV to write (rows already in it are skipped by sha256)"
    )
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--variants",
        default="",
        metavar="NAMES",
        help="extra hashes per photo, comma-separated: repost (mirror, centre, tilts, crop windows, caption cut), "
        "dihedral, crops, or names from workbench.photos.VARIANTS; adds phash_<name>/pdq_<name> columns",
    )
    p.add_argument(
        "--no-trim",
        action="store_true",
        help="hash pictures as they are, without cutting a uniform border",
    )
    p.add_argument(
        "--cases-out",
        default=None,
        metavar="CSV",
        help="also write a cases table: one case per sub-folder (a child or subject), every hash and "
        "variant hash in its image_hashes / pdq_hashes, ready for `workbench run --cases`",
    )
    p.add_argument(
        "--case-kind", default="missing", choices=["missing", "subject"], help="kind of those cases"
    )

    p = sub.add_parser(
        "package", help="write a case package (report, tables, manifest) for one entity or case"
    )
    p.add_argument("--run", required=True, help="the --out folder of a finished `workbench run`")
    p.add_argument("--accounts", required=True, help="the accounts file that run used")
    p.add_argument("--map", action="append", default=[], metavar="THEIR=OURS")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--entity", help="entity_id from entity_summary.csv")
    which.add_argument("--case", help="case_id from leads.csv")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--review", default=None, help="review.sqlite whose decisions go into the package"
    )
    p.add_argument(
        "--pseudonymise",
        default=None,
        metavar="KEY",
        help="replace identifiers with keyed hashes for sharing",
    )

    p = sub.add_parser(
        "watch", help="match a new batch of accounts against the cases, remembering what was seen"
    )
    p.add_argument("--cases", required=True, help="cases file (known subjects, missing children)")
    p.add_argument("--accounts", required=True, help="the new accounts (.csv, .parquet, .jsonl)")
    p.add_argument(
        "--state", required=True, help="the watch's state folder (created on the first batch)"
    )
    p.add_argument(
        "--region", default="US", help="default phone region for numbers without a country code"
    )
    p.add_argument(
        "--min-lead-score",
        type=float,
        default=None,
        help="only write leads at or above this score (default 0.5)",
    )

    p = sub.add_parser(
        "watchlist", help="share a watchlist with a partner as keyed hashes, or match one"
    )
    wl = p.add_subparsers(dest="watchlist_command", required=True)
    q = wl.add_parser(
        "export",
        help="write the cases' identifiers as HMAC-SHA256 hashes (photos as perceptual hashes)",
    )
    q.add_argument("--cases", required=True)
    q.add_argument("--out", required=True, help="CSV to write")
    q.add_argument("--region", default="US")
    q = wl.add_parser("match", help="match a shared hash list against accounts")
    q.add_argument("--list", required=True, help="the shared list (CSV from `watchlist export`)")
    q.add_argument("--accounts", required=True)
    q.add_argument("--out", required=True, help="CSV of leads to write")
    q.add_argument("--region", default="US")
    for q in wl.choices.values():
        key = q.add_mutually_exclusive_group(required=True)
        key.add_argument(
            "--key",
            help="the shared secret (visible to other users of this machine; prefer --key-file)",
        )
        key.add_argument("--key-file", help="file holding the shared secret")

    p = sub.add_parser("review", help="the analyst review log")
    p.add_argument(
        "action", choices=["export"], help="export: write the whole log as CSV for an audit"
    )
    p.add_argument(
        "--log", required=True, help="review.sqlite (in a run's --out or a watch --state folder)"
    )
    p.add_argument("--out", required=True, help="CSV to write")

    p = sub.add_parser(
        "bench",
        help="time every stage on synthetic worlds of several sizes (bench.csv, bench.html)",
    )
    p.add_argument("--sizes", default="10000,100000", help="comma-separated numbers of accounts")
    p.add_argument("--out", required=True)
    p.add_argument("--backend", default="auto", choices=["auto", "cpu", "gpu"])
    p.add_argument("--no-trends", action="store_true", help="leave UMAP/HDBSCAN out")
    p.add_argument("--seed", type=int, default=1)

    p = sub.add_parser(
        "demo", help="generate a synthetic world, run the pipeline on it, and say what it found"
    )
    p.add_argument("--out", default="out")
    p.add_argument("--accounts", type=int, default=3000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--backend", default="auto", choices=["auto", "cpu", "gpu"])
    return parser


def _config(args) -> RunConfig:  # noqa: F821
    from dataclasses import replace  # noqa: PLC0415

    from .pipeline import RunConfig  # noqa: PLC0415

    config = RunConfig(
        region=args.region,
        risk_config=args.risk_config,
        run_trends=not args.no_trends,
        seed=args.seed,
    )
    if args.min_lead_score is not None:
        config = replace(config, watch=replace(config.watch, min_lead_score=args.min_lead_score))
    return config


def _summarise(result, out: Path, started: float) -> None:
    es = result.entity_summary
    print(
        f"\nRan on {len(result.entities):,} accounts in {time.perf_counter() - started:.1f}s (backend {result.backend})."
    )
    print(f"  identifiers found      {len(result.identifiers):,}")
    print(f"  linked entities        {len(es):,} (2+ accounts or a case lead)")
    print(
        f"  hubs set aside         {len(result.hubs):,} (shared by unrelated ads; not used to link)"
    )
    print(
        f"  trend clusters         {int(result.clusters['cluster'].max()) + 1 if len(result.clusters) else 0}"
    )
    print(f"  leads to known cases   {len(result.leads):,}")
    print(f"  input warnings         {len(result.warnings):,}")
    print(
        "  seconds per step       " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items())
    )
    if len(es):
        top = es.iloc[0]
        print(
            f"\nTop entity for review: {top['entity_id']} ({top['n_accounts']} accounts, {top['n_cities']} cities)"
        )
        print(f"  indicators: {top['risk_reasons'] or 'none fired'}")
    if len(result.leads):
        best = result.leads.iloc[0]
        print(
            f"First lead: case {best['case_id']} -> account {best['account_id']} (score {best['score']:.2f})"
        )
        print(f"  because: {best['reasons'][:200]}")
    print(f"\nFiles in {out.resolve()}:")
    for path in sorted(out.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            print(f"  {path.name:22s} {path.stat().st_size:>12,} bytes")
    print(f"\nOpen the report: {(out / 'report.html').resolve()}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args)
    except InputError as exc:
        print(f"workbench: input problem: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BackendError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted; outputs already written are complete files", file=sys.stderr)
        return 130


def _dispatch(args) -> int:
    if args.command == "synth":
        from .synth import generate_world, write_world  # noqa: PLC0415

        started = time.perf_counter()
        world = generate_world(args.accounts, seed=args.seed)
        paths = write_world(world, Path(args.out))
        print(
            f"wrote {len(world.accounts):,} accounts, {len(world.cases):,} cases in {time.perf_counter() - started:.1f}s:"
        )
        for path in paths.values():
            print(f"  {path}")
        return 0
    if args.command == "run":
        from .io import parse_mapping  # noqa: PLC0415
        from .pipeline import run  # noqa: PLC0415

        started = time.perf_counter()
        out = Path(args.out)
        result = run(
            args.accounts,
            args.cases,
            out=out,
            backend=args.backend,
            config=_config(args),
            mapping=parse_mapping(args.map),
            case_mapping=parse_mapping(args.case_map),
            pseudonymise_key=args.pseudonymise or os.environ.get("WORKBENCH_PSEUDONYMISE_KEY"),
            engine=args.engine,
            scheduler=args.scheduler,
        )
        _summarise(result, out, started)
        return 0
    if args.command == "demo":
        from .evaluate import entity_scores, format_scores, lead_scores  # noqa: PLC0415
        from .pipeline import run  # noqa: PLC0415
        from .synth import generate_world, write_world  # noqa: PLC0415

        started = time.perf_counter()
        out = Path(args.out)
        world_dir = out / "world"
        print(
            f"Generating a synthetic world of {args.accounts:,} accounts (seed {args.seed}) in {world_dir} ..."
        )
        world = generate_world(args.accounts, seed=args.seed)
        write_world(world, world_dir)
        print(
            "Running the pipeline (the first run compiles UMAP's kernels: about half a minute) ..."
        )
        result = run(
            world_dir / "accounts.csv", world_dir / "cases.csv", out=out, backend=args.backend
        )
        _summarise(result, out, started)
        print("\nAgainst the world's ground truth (truth.csv):")
        print("  entities: " + format_scores(entity_scores(result.entities, world.truth)))
        print("  leads:    " + format_scores(lead_scores(result.leads, world.truth)))
        return 0
    if args.command == "notebook":
        from .notebooks import run_notebook  # noqa: PLC0415

        executed = run_notebook(args.name, args.param, Path(args.out))
        print(f"executed notebook: {executed}")
        return 0
    if args.command == "bench":
        from .bench import run_bench  # noqa: PLC0415

        try:
            sizes = [int(v.replace("_", "")) for v in args.sizes.split(",") if v.strip()]
        except ValueError:
            raise InputError(
                "--sizes", f"{args.sizes!r} is not a list of numbers", "Write --sizes 10000,100000"
            ) from None
        table = run_bench(
            sizes, Path(args.out), backend=args.backend, trends=not args.no_trends, seed=args.seed
        )
        print(table.round(2).to_string(index=False))
        print(f"\nwrote {Path(args.out) / 'bench.csv'} and {Path(args.out) / 'bench.html'}")
        return 0
    if args.command == "review":
        from .review import ReviewLog  # noqa: PLC0415

        if not Path(args.log).is_file():
            raise InputError(
                args.log, "no review log here", "Give the review.sqlite of a run or watch folder."
            )
        path = ReviewLog(args.log).export(Path(args.out))
        print(f"wrote the review log ({len(ReviewLog(args.log).history())} decisions) to {path}")
        return 0
    if args.command == "package":
        from .io import load_accounts, parse_mapping  # noqa: PLC0415
        from .package import select, write_package  # noqa: PLC0415

        accounts = load_accounts(args.accounts, parse_mapping(args.map))
        selection = select(Path(args.run), accounts, entity=args.entity, case=args.case)
        review = Path(args.review) if args.review else Path(args.run) / "review.sqlite"
        folder = write_package(
            selection,
            Path(args.out),
            review_path=review,
            parameters={"run": str(args.run), "entity": args.entity, "case": args.case},
            pseudonymise_key=args.pseudonymise,
        )
        print(
            f"case package for {selection.subject}: {len(selection.accounts)} accounts -> {folder.resolve()}"
        )
        return 0
    if args.command == "watch":
        from dataclasses import replace  # noqa: PLC0415

        from .watch import WatchConfig  # noqa: PLC0415
        from .watchstate import watch_batch  # noqa: PLC0415

        config = WatchConfig()
        if args.min_lead_score is not None:
            config = replace(config, min_lead_score=args.min_lead_score)
        started = time.perf_counter()
        leads = watch_batch(
            args.cases, args.accounts, Path(args.state), config=config, region=args.region
        )
        print(
            f"{len(leads):,} new lead rows in {time.perf_counter() - started:.1f}s -> {Path(args.state) / 'leads.csv'}"
        )
        return 0
    if args.command == "watchlist":
        from .exchange import export_watchlist, match_watchlist, read_key  # noqa: PLC0415
        from .io import write_csv  # noqa: PLC0415

        key = read_key(args.key, args.key_file)
        if args.watchlist_command == "export":
            table = export_watchlist(args.cases, key, region=args.region)
            write_csv(table, Path(args.out))
            print(
                f"wrote {len(table) - 1:,} hashed entries -> {args.out} (keep the key apart from the file)"
            )
            return 0
        leads = match_watchlist(Path(args.list), args.accounts, key, region=args.region)
        write_csv(leads, Path(args.out))
        print(f"{len(leads):,} leads against the shared list -> {args.out}")
        return 0
    if args.command == "hash-images":
        import pandas as pd  # noqa: PLC0415

        from .io import write_csv  # noqa: PLC0415
        from .photos import hash_images  # noqa: PLC0415

        folder, out = Path(args.folder), Path(args.out)
        if not folder.is_dir():
            raise InputError(
                str(folder), "is not a folder", "Give the folder that holds the images."
            )
        existing = pd.read_csv(out, dtype=str) if out.exists() else None
        from .photos import PRESETS, VARIANTS, TrimConfig  # noqa: PLC0415
        from .photos.variants import expand  # noqa: PLC0415

        variants = expand(filter(None, (n.strip() for n in args.variants.split(","))))
        unknown = sorted(set(variants) - set(VARIANTS))
        if unknown:
            raise InputError(
                "--variants",
                f"unknown name(s) {', '.join(unknown)}",
                f"Use a preset ({', '.join(PRESETS)}) or any of " + ", ".join(VARIANTS),
            )
        table = hash_images(
            folder,
            workers=args.workers,
            existing=existing,
            variants=variants,
            trim=None if args.no_trim else TrimConfig(),
        )
        write_csv(table, out)
        errors = int(table["error"].fillna("").astype(bool).sum())
        print(
            f"hashed {len(table) - errors:,} images ({errors} could not be read; see the error column) -> {out}"
        )
        if args.cases_out:
            from .photos import cases_from_hashes  # noqa: PLC0415

            cases = cases_from_hashes(table, kind=args.case_kind)
            write_csv(cases, Path(args.cases_out))
            print(f"{len(cases):,} {args.case_kind} cases (one per folder) -> {args.cases_out}")
        return 0
    raise AssertionError(args.command)


def entry() -> None:
    """Console-script entry: run, flush, and leave without interpreter teardown.

    pyarrow's worker threads can abort the process while Python finalises ("terminate
    called without an active exception"), turning a clean exit code 2 into a crash; the
    outputs are already complete (atomic writes), so nothing is lost by skipping teardown.
    """
    import os  # noqa: PLC0415

    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
