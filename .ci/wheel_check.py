"""Check an installed portal (not the checkout): it migrates and speaks every language.

Run with the Python of a fresh virtualenv that has the built wheel installed, from a directory
outside the checkout:  python .ci/wheel_check.py
"""

import os
import secrets
import sys
import sysconfig
import tempfile
from pathlib import Path

work = Path(tempfile.mkdtemp(prefix="portal-wheel-"))
os.chdir(work)
os.environ.update(
    PORTAL_ENV="production",
    SECRET_KEY=secrets.token_urlsafe(48),
    LENDER_NAME="示例消费金融有限公司",
    LENDER_PHONE="400-800-1234",
    DATABASE_URL=f"sqlite:///{work / 'portal.sqlite3'}",
)

import portal  # noqa: E402
import wsgi  # noqa: E402  (gunicorn wsgi:app)

site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
where = Path(portal.__file__).resolve()
if site_packages not in where.parents:
    sys.exit(f"portal was imported from {where}, not from the installed package")
catalogs = sorted(
    str(p.relative_to(where.parent))
    for p in (where.parent / "translations").glob("*/LC_MESSAGES/messages.mo")
)
print("compiled catalogs in the package:", ", ".join(catalogs))

from flask_migrate import upgrade  # noqa: E402

app = wsgi.app
with app.app_context():
    upgrade()

client = app.test_client()
expected = {"zh-CN,zh;q=0.9": "登录", "zh-TW,zh;q=0.9": "登入", "en-US,en;q=0.9": "Log in"}
failures = []
for accept, text in expected.items():
    response = client.get("/", headers={"Accept-Language": accept})
    page = response.get_data(as_text=True)
    ok = response.status_code == 200 and text in page
    print(
        f"GET / Accept-Language: {accept} -> {response.status_code}, {text!r}",
        "ok" if ok else "MISSING",
    )
    if not ok:
        failures.append(accept)
if failures:
    sys.exit(f"the installed portal does not speak: {', '.join(failures)}")
print("the installed portal serves zh_Hans, zh_Hant and en")
