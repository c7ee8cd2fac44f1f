"""The figures a feed row carries and a warning line (预警线) may sum, per claim category.

Pure data (the tariff loader checks `warning_fields` against it): no database, no I/O.
"""

from __future__ import annotations

#: category -> figure name -> its Chinese label. The first is the default a warning line sums.
WARNING_FIELDS: dict[str, dict[str, str]] = {
    "medical": {
        "compliant_out_of_pocket": "合规自付费用（个人支付减政策范围外费用）",
        "out_of_pocket": "个人支付金额",
        "total_cost": "医疗费总额",
        "non_compliant_cost": "政策范围外费用（全自费加超限价自费）",
    },
    "disaster": {
        "net_loss": "净损失（损失评估金额减救灾款和保险赔付）",
        "assessed_loss": "损失评估金额",
    },
    "education": {
        "net_cost": "净教育支出（学费加住宿费减资助金额）",
        "tuition": "学费",
        "accommodation": "住宿费",
    },
}
WARNING_FIELDS["accident"] = WARNING_FIELDS["medical"]


def default_fields(category: str) -> list[str]:
    """The figure a category's warning line sums when the tariff names none."""
    return [next(iter(WARNING_FIELDS[category]))]
