"""Schemathesis hooks for scripts/fuzz-api: every request authenticates as the owner of the fuzz
workspace. The fuzzer may end the owner's own sessions or change the owner's email (both are
operations of the API), so the hook keeps the owner's current email while its token works and
signs in again when it stops working."""
import os
import time

import requests
import schemathesis

BASE = os.environ["FUZZ_BASE_URL"]
TENANT = os.environ["FUZZ_TENANT"]
PASSWORD = os.environ["FUZZ_PASSWORD"]
# The owner's email as last seen, kept in a file so that a second run starts from it.
STATE = os.environ["FUZZ_STATE"]
EMAIL = open(STATE).read().strip() if os.path.exists(STATE) else os.environ["FUZZ_EMAIL"]


def sign_in() -> str:
    """Signs in, waiting out a busy answer (the fuzzer's own sign-in attempts keep argon2 busy)."""
    for attempt in range(20):
        answer = requests.post(
            f"{BASE}/api/auth/login",
            json={"tenant": TENANT, "email": EMAIL, "password": PASSWORD},
            timeout=30,
        )
        if answer.status_code in (429, 503):
            time.sleep(min(0.2 * 2**attempt, 5))
            continue
        answer.raise_for_status()
        return answer.json()["data"]["access_token"]
    raise RuntimeError(f"sign-in kept answering {answer.status_code}")


def still_valid(token: str) -> bool:
    """True while the token works; remembers the owner's email as it is now."""
    global EMAIL
    answer = requests.get(
        f"{BASE}/api/v1/users/me",
        headers={"Authorization": f"Bearer {token}", "X-Tenant": TENANT},
        timeout=30,
    )
    if answer.status_code != 200:
        return False
    email = answer.json()["data"]["email"]
    if email != EMAIL:
        EMAIL = email
        with open(STATE, "w") as state:
            state.write(email)
    return True


@schemathesis.auth(refresh_interval=1)
class OwnerToken:
    token = None

    def get(self, case, context):
        if OwnerToken.token is None or not still_valid(OwnerToken.token):
            OwnerToken.token = sign_in()
        return OwnerToken.token

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
        case.headers["X-Tenant"] = TENANT
