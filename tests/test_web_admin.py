"""The admin's user pages: add, disable, reset, bulk import with one-time set-up links; and
the set-up page where a user chooses their own password."""

from __future__ import annotations

import re

from sqlalchemy import select

from adjudicator.storage.models import Event, User
from adjudicator.web.auth import set_password
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import PASSWORD, World, csrf_of, login

NEW_PASSWORD = "新密码-county-2026"


def _admin(world: World):
    set_password(world.ctx, "admin", PASSWORD)
    client, _ = world.client()
    token = login(client, "admin")
    return client, csrf_of(client.get("/admin/users").text) or token


def _links(html: str) -> list[str]:
    return re.findall(r"http://testserver(/setup/[A-Za-z0-9_-]+)", html)


def _set_up(world: World, path: str, password: str = NEW_PASSWORD) -> int:
    client, _ = world.client()
    form = client.get(path)
    assert form.status_code == 200 and "设置密码" in form.text
    return client.post(path, data={"csrf_token": csrf_of(form.text), "password": password,
                                   "again": password}).status_code


def test_add_a_user_who_sets_their_own_password_once(world: World) -> None:
    client, token = _admin(world)
    page = client.post("/admin/users", data={"csrf_token": token, "user_id": "v9",
                                             "display_name": "周核查", "role": "verifier",
                                             "townships": "330102001"})
    assert page.status_code == 200 and "已添加用户 v9" in page.text
    [link] = _links(page.text)
    assert "待设置密码" in page.text and "示范镇" in page.text  # township by name
    assert _set_up(world, link) == 303
    assert login(world.client()[0], "v9", NEW_PASSWORD)
    again, _ = world.client()
    assert again.get(link).status_code == 410  # used once: spent
    with world.ctx.factory() as session:
        payloads = list(session.execute(select(Event.payload)).scalars())
    assert not any(link.rsplit("/", 1)[1] in p for p in payloads)  # the token is not kept


def test_only_the_admin_manages_users(world: World) -> None:
    client, token = world.client("off")
    assert client.get("/admin/users").status_code == 403
    refused = client.post("/admin/users", data={"csrf_token": token, "user_id": "x",
                                                "display_name": "某", "role": "admin"})
    assert refused.status_code == 403
    with world.ctx.factory() as session:
        assert session.get(User, "x") is None


def test_disable_and_reset(world: World) -> None:
    client, token = _admin(world)
    officer, _ = world.client("off")
    assert officer.get("/officer/pending").status_code == 200
    done = client.post("/admin/users/off/disable", data={"csrf_token": token})
    assert "已停用 off" in done.text
    assert officer.get("/officer/pending").status_code in (302, 303, 401)  # signed out
    client.post("/admin/users/off/enable", data={"csrf_token": token})
    reset = client.post("/admin/users/off/reset", data={"csrf_token": token})
    [link] = _links(reset.text)
    old, _ = world.client()
    page = old.get("/login")
    assert old.post("/login", data={"username": "off", "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text)}).status_code != 303
    assert _set_up(world, link, "short") == 422  # the password rules hold
    assert _set_up(world, link) == 303
    assert login(world.client()[0], "off", NEW_PASSWORD)
    own = client.post("/admin/users/admin/disable", data={"csrf_token": token})
    assert own.status_code == 422 and "不能停用自己的账号" in own.text


def test_a_user_list_the_csv_module_cannot_read_adds_no_one(world: World) -> None:
    """A cell over 131,072 characters crashed the upload (500) after the rows before it had
    added their users."""
    client, token = _admin(world)
    listing = ("用户名,姓名,角色,乡镇\n"
               "v11,吴核查,核查员,330102001\n"
               f"v12,{'长' * 140_000},核查员,\n").encode()
    page = client.post("/admin/users/import", data={"csrf_token": token},
                       files={"file": ("users.csv", listing, "text/csv")})
    assert page.status_code == 422 and "第 3 行起无法按 CSV 读取" in page.text, page.text[:300]
    with world.ctx.factory() as session:
        assert session.get(User, "v11") is None


def test_bulk_import_gives_each_user_a_link(world: World) -> None:
    client, token = _admin(world)
    listing = ("用户名,姓名,角色,乡镇\n"
               "v10,吴核查,核查员,330102001\n"
               "o10,郑科长,县乡村振兴局,330102001、330102002\n"
               "x10,坏行,厨师,\n"
               "v1,重名,核查员,\n").encode("gbk")
    page = client.post("/admin/users/import", data={"csrf_token": token},
                       files={"file": ("users.csv", listing, "text/csv")})
    assert page.status_code == 200 and "导入 2 个用户，退回 2 行" in page.text
    assert "第 4 行：角色“厨师”不认识" in page.text and "第 5 行：用户名“v1”已被使用" in page.text
    links = _links(page.text)
    assert len(links) == 2 and len(set(links)) == 2
    with world.ctx.factory() as session:
        assert session.get(User, "o10").townships == ["330102001", "330102002"]
    assert _set_up(world, links[0]) == 303
