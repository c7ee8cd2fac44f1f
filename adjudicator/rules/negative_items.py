"""负面清单: the built-in negative-list items and their Chinese labels.

A tariff activates a subset and may define items of its own, each with a label.
"""

from __future__ import annotations

BUILTIN_ITEMS: dict[str, str] = {
    "PUBLIC_SERVANT": "家庭成员中有财政供养人员（公职人员）",
    "VEHICLE": "家庭拥有消费型车辆",
    "COMPANY": "家庭成员开办公司或企业",
    "COMMERCIAL_HOUSING": "家庭在城镇购买商品房",
    "SHOP": "家庭拥有铺面",
    "CONCEALMENT": "刻意隐瞒家庭真实情况、拒不配合核查或虚报开支",
    "LARGE_DEPOSITS": "家庭有大额存款",
    "HIRED_LABOR": "家庭长期雇用他人从事生产经营",
    "HIGH_CONSUMPTION": "家庭有高消费或自费出国行为",
    "WELL_OFF_RELATIVES": "单人户或老人户而直系亲属家庭条件较好",
    "ILLEGAL_ACT": "因本人违法行为或故意行为致害",
}

BUILTIN_ITEMS_EN: dict[str, str] = {
    "PUBLIC_SERVANT": "a member is on the public payroll",
    "VEHICLE": "the household owns a consumer vehicle",
    "COMPANY": "a member runs a company or enterprise",
    "COMMERCIAL_HOUSING": "the household bought commercial housing in town",
    "SHOP": "the household owns a shop front",
    "CONCEALMENT": "the household hid its real situation, refused verification or inflated costs",
    "LARGE_DEPOSITS": "the household holds large deposits",
    "HIRED_LABOR": "the household employs long-term hired labour",
    "HIGH_CONSUMPTION": "high consumption or self-funded travel abroad",
    "WELL_OFF_RELATIVES": "a single or elderly household whose direct relatives are well off",
    "ILLEGAL_ACT": "harm caused by the claimant's own illegal or deliberate act",
}
