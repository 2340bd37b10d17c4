#!/usr/bin/env python3
"""Drives a Quire server with Python's stdlib xmlrpc.client the way PaperCut's example scripts do.

Usage: papercut_client_check.py URL PREFIX [--big-body]
The auth token comes from the QUIRE_TOKEN environment variable. Prints one "ok <check>" line per passed
check; on the first failure prints "FAIL <check>: <reason>" and exits with status 1.
"""
import re
import ssl
import sys
import os
import xmlrpc.client

url, prefix = sys.argv[1], sys.argv[2]
big_body = "--big-body" in sys.argv[3:]
auth = os.environ["QUIRE_TOKEN"]


def make_proxy(**kwargs):
    if url.startswith("https:"):
        # As PaperCut's examples do against the server's self-signed certificate.
        return xmlrpc.client.ServerProxy(url, context=ssl._create_unverified_context(), **kwargs)
    return xmlrpc.client.ServerProxy(url, **kwargs)


proxy = make_proxy()
current = "setup"


def check(name):
    global current
    current = name


def passed():
    print("ok " + current, flush=True)


def expect(condition, reason):
    if not condition:
        raise AssertionError(reason)


def expect_fault(call, code, pattern):
    try:
        call()
    except xmlrpc.client.Fault as fault:
        expect(isinstance(fault.faultCode, int), "faultCode is not an int: %r" % (fault.faultCode,))
        expect(fault.faultCode == code, "faultCode %r, expected %r (%s)" % (fault.faultCode, code, fault.faultString))
        expect(re.search(pattern, fault.faultString), "faultString %r does not match %r" % (fault.faultString, pattern))
        return fault
    raise AssertionError("expected a fault")


def java_message(fault_string):
    """What PaperCut's Java and SavaPage proxies show: the text after any leading exception class names."""
    return re.sub(r"^(\w+(\.\w+)+:\s*)+", "", fault_string)


try:
    user = prefix + "-py-user"

    check("isUserExists is False for an unknown user")
    expect(proxy.api.isUserExists(auth, user) is False, "not False")
    passed()

    check("addNewInternalUser with six arguments")
    expect(proxy.api.addNewInternalUser(auth, user, "pw", "Py User", user + "@example.org", prefix + "-card", "1234") is True, "not True")
    expect(proxy.api.isUserExists(auth, user) is True, "user not created")
    passed()

    check("top up with float() as simpleTopUpBalance does")
    expect(proxy.api.adjustUserAccountBalance(auth, user, float("10.10"), "Money added by the Simple Top Up Page") is True, "not True")
    balance = proxy.api.getUserAccountBalance(auth, user)
    expect(type(balance) is float, "balance is %r, not a float" % type(balance))
    expect(balance == 10.1, "balance %r" % balance)
    passed()

    check("refund the whole balance as simpleRefundBalance does")
    credit = proxy.api.getUserAccountBalance(auth, user)
    expect("{0:.2f}".format(credit) == "10.10", "credit %r" % credit)
    proxy.api.adjustUserAccountBalance(auth, user, -1 * credit, "Money refunded by the Simple Refund Page")
    expect(proxy.api.getUserAccountBalance(auth, user) == 0.0, "balance not zero after refund")
    passed()

    check("amounts are exact: 0.1 three times is 0.3")
    for _ in range(3):
        proxy.api.adjustUserAccountBalance(auth, user, 0.1, "")
    balance = proxy.api.getUserAccountBalance(auth, user)
    expect(balance == 0.3, "balance %r" % balance)
    expect(proxy.api.getUserProperty(auth, user, "balance") == "0.3", "property balance")
    proxy.api.setUserAccountBalance(auth, user, 1e-05, "tiny")
    expect(proxy.api.getUserProperty(auth, user, "balance") == "0.00001", "1e-05 not exact")
    proxy.api.setUserAccountBalance(auth, user, 0.0, "reset")
    passed()

    check("a fault carries faultCode and faultString; the Java-style prefix strips to a readable message")
    fault = expect_fault(lambda: proxy.api.getUserAccountBalance(auth, prefix + "-nobody"), 0, "could not be found")
    expect(java_message(fault.faultString) == "The user with name %s-nobody could not be found." % prefix, java_message(fault.faultString))
    passed()

    check("a wrong token faults with 401")
    expect_fault(lambda: proxy.api.isUserExists("wrong-token", user), 401, "^Authentication failed")
    passed()

    check("property names sent as separate strings fault with NoSuchMethodException (-1)")
    expect_fault(lambda: proxy.api.getUserProperties(auth, user, "full-name", "email"), -1, r"^java\.lang\.NoSuchMethodException: api\.getUserProperties\(")
    expect_fault(lambda: proxy.api.noSuchMethod(auth), -1, "No method named api.noSuchMethod")
    passed()

    check("getUserProperties takes a list and returns a list of strings")
    values = proxy.api.getUserProperties(auth, user, ["full-name", "email", "balance", "restricted"])
    expect(values == ["Py User", user + "@example.org", "0.0", "false"], repr(values))
    passed()

    check("setUserProperties takes tuples of (name, value)")
    expect(proxy.api.setUserProperties(auth, user, [("department", "Python Dept"), ("office", "Room <1> & more"), ("notes", "üñï ✓")]) is True, "not True")
    expect(proxy.api.getUserProperties(auth, user, ("department", "office", "notes")) == ["Python Dept", "Room <1> & more", "üñï ✓"], "round trip")
    passed()

    check("swap card numbers as swapCardNumbers does")
    proxy.api.setUserProperty(auth, user, "secondary-card-number", prefix + "-card2")
    primary = proxy.api.getUserProperty(auth, user, "secondary-card-number")
    secondary = proxy.api.getUserProperty(auth, user, "primary-card-number")
    proxy.api.setUserProperty(auth, user, "primary-card-number", primary)
    proxy.api.setUserProperty(auth, user, "secondary-card-number", secondary)
    expect(proxy.api.lookUpUserNameByCardNo(auth, prefix + "-card2") == user, "lookup after swap")
    expect(proxy.api.getUserProperty(auth, user, "primary-card-number") == prefix + "-card2", "primary after swap")
    passed()

    check("list users in pages as the example scripts do")
    for i in range(3):
        proxy.api.addNewInternalUser(auth, "%s-page-%d" % (prefix, i), "pw", "", "", "", "")
    offset, limit, seen = 0, 2, []
    while True:
        page = proxy.api.listUserAccounts(auth, offset, limit)
        expect(isinstance(page, list), "page is not a list")
        seen.extend(page)
        if len(page) < limit:
            break
        offset += limit
    expect(seen == sorted(seen), "not sorted")
    expect(len(seen) == len(set(seen)), "duplicates")
    expect(len(seen) == proxy.api.getTotalUsers(auth), "count differs from getTotalUsers")
    expect(all(("%s-page-%d" % (prefix, i)) in seen for i in range(3)), "missing users")
    expect(proxy.api.listUserAccounts(auth, 0, 2147483647) == seen, "limit 2147483647")
    passed()

    check("account selection setters as setAccountSelectionMode does")
    proxy.api.addNewSharedAccount(auth, prefix + "-Research")
    expect(proxy.api.setUserAccountSelectionAutoChargePersonal(auth, user, False) is True, "personal")
    expect(proxy.api.setUserAccountSelectionAutoSelectSharedAccount(auth, user, prefix + "-Research", False) is True, "shared")
    expect(proxy.api.setUserAccountSelectionStandardPopup(auth, user, False, True, False, False, False) is True, "popup")
    expect(proxy.api.getUserProperty(auth, user, "account-selection.mode") == "SHOW_ACCOUNT_SELECTION_POPUP", "mode")
    passed()

    check("IfAvailable returns False, not a fault, without credit")
    proxy.api.setUserProperty(auth, user, "restricted", "TRUE")
    result = proxy.api.adjustUserAccountBalanceIfAvailable(auth, user, -1.5, "print job")
    expect(result is False, repr(result))
    expect(proxy.api.adjustUserAccountBalanceByCardNumber(auth, prefix + "-no-such-card", 1.0, "") is False, "unknown card")
    passed()

    check("None for an optional argument with allow_none")
    with_none = make_proxy(allow_none=True)
    expect(with_none.api.getUserAccountBalance(auth, user, None) == 0.0, "balance with None")
    expect(with_none.api.adjustUserAccountBalance(auth, user, 2.0, "", None) is True, "adjust with None")
    passed()

    check("config values round trip")
    expect(proxy.api.setConfigValue(auth, prefix + ".python.key", "value & <more>") is True, "set")
    expect(proxy.api.getConfigValue(auth, prefix + ".python.key") == "value & <more>", "get")
    expect(proxy.api.getConfigValue(auth, prefix + ".unknown.key") == "", "unknown key")
    passed()

    if big_body:
        check("a 50 MB request gets a fault, not a connection reset")
        expect_fault(lambda: proxy.api.isUserExists(auth, "x" * (50 * 1024 * 1024)), -32700, "exceeds the limit")
        expect(proxy.api.isUserExists(auth, user) is True, "server still answers")
        passed()

    print("done", flush=True)
except Exception as error:  # noqa: BLE001 - report any failure as one line for the node test
    print("FAIL %s: %s: %s" % (current, type(error).__name__, error), flush=True)
    sys.exit(1)
