"""Reads back, through Dalgo's own Django code, what dalgo wrote in live mode.

Run by scripts/django-agrees.sh inside DDP_backend's virtualenv, from its
directory, with DBNAME/DBHOST/DBPORT/DBUSER set. Each command prints one
line; a failed check exits 1.

    login EMAIL PASSWORD     django.contrib.auth.authenticate accepts them
    role EMAIL SLUG          the membership's role slug, as Dalgo reads it
    flag FLAG SLUG           is_feature_flag_enabled(FLAG, org)
    add-member EMAIL SLUG ROLE   creates a User and OrgUser as the web app does
    orgs SLUG                how many orgs Django finds with this slug
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddpui.settings")
os.environ.setdefault("DJANGOSECRET", "django-agrees-check")

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

from ddpui.models.org import Org  # noqa: E402
from ddpui.models.org_user import OrgUser  # noqa: E402
from ddpui.models.role_based_access import Role  # noqa: E402
from ddpui.utils.feature_flags import is_feature_flag_enabled  # noqa: E402


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "login":
        user = authenticate(username=args[0], password=args[1])
        print("login", "ok" if user is not None else "refused")
        return 0 if user is not None else 1
    if command == "role":
        orguser = OrgUser.objects.get(user__username=args[0], org__slug=args[1])
        print(orguser.new_role.slug)
        return 0
    if command == "flag":
        print(is_feature_flag_enabled(args[0], org=Org.objects.get(slug=args[1])))
        return 0
    if command == "add-member":
        user = User.objects.create_user(username=args[0], email=args[0], password="web-app-made")
        role = Role.objects.get(slug=args[2])
        OrgUser.objects.create(user=user, org=Org.objects.get(slug=args[1]), new_role=role, email_verified=True)
        print("added", args[0])
        return 0
    if command == "orgs":
        print(Org.objects.filter(slug=args[0]).count())
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
