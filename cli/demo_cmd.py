"""`adjudicator demo`: the whole workflow on a synthetic county, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adjudicator.messages import Message, current_lang
from cli.common import console, fail, print_table
from schemas.vocabulary import Words

#: What each file the demo writes is, by its key in the demo's summary.
DEMO_FILES: dict[str, Words] = {
    "database": Words("数据库", "database"),
    "import files": Words("导入文件", "import files"),
    "notices": Words("村级公示", "notices"),
    "denial letters": Words("不予救助告知书", "denial letters"),
    "decision records": Words("理算记录", "decision records"),
    "summary report": Words("年度工作总结", "summary report"),
    "summary workbook": Words("年度工作总结（表格）", "summary workbook"),
    "audit workbook": Words("抽样审计报告（表格）", "audit workbook"),
    "payment register": Words("代发清单", "payment register"),
    "checkpoint": Words("签名检查点", "checkpoint"),
    "fund settlement": Words("资金结算单", "fund settlement"),
    "fund settlement workbook": Words("资金结算单（表格）", "fund settlement workbook"),
    "bank return": Words("银行回盘", "bank return"),
}


def demo(
    out: Annotated[Path, typer.Option("--out", help="数据库和文书的目录（每次重写）。\n\n"
                                                    "Where the database and documents go "
                                                    "(rewritten on each run).")]
    = Path("demo-output"),
    households: Annotated[int, typer.Option("--households", min=10,
                                            help="模拟县的户数。"
                                                 "\n\nHouseholds in the county.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="模拟县的随机种子。\n\n"
                                      "Seed of the synthetic county.")] = 2026,
) -> None:
    """演示：生成一个逼真的模拟县，在 SQLite 上走完整个流程。
    Generate a realistic synthetic county and run the whole workflow on SQLite."""
    from adjudicator.demo import run_demo

    try:
        summary = run_demo(out, households=households, seed=seed,
                           say=lambda text: console.print(f"• {text}", highlight=False))
    except Exception as exc:
        fail(Message("cli.demo_stopped", detail=f"{type(exc).__name__}: {exc}"))
    table = Table(str(Message("demo.files_what")), str(Message("demo.files_where")),
                  title=str(Message("demo.files_title")))
    for what, path in summary.files.items():
        table.add_row(DEMO_FILES[what].render(current_lang()), str(path))
    print_table(table)
    console.print(Message("demo.try", database=summary.database), highlight=False)
    if summary.figures["replay_differences"] or not summary.figures["chain_ok"]:
        fail(Message("cli.demo_check_failed"))
