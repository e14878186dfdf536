#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The page of sipservlet-click-to-call in a real browser.

    click-to-call-browser.py PROGRAM SIPP SCENARIO_DIR

Starts PROGRAM --listen 127.0.0.1:0 --http 127.0.0.1:0 --http-token secret
--allow 127.0.0.1 and two sipp user-agent servers (SCENARIO_DIR
c2c-a-answer.xml and c2c-b-answer.xml) that answer, loads the page in
headless Chromium through Selenium (chromedriver), fills #from, #to and
#token, clicks #call, waits until #state shows "answered" (which the
page learns from the WebSocket /events), clicks #hangup, waits until it
shows "ended", and checks that both legs got their BYE (sipp exits 0).

Chromium, chromedriver and Selenium are required: the test fails (it
does not skip) without them. The server never runs under valgrind here
(the browser suite stays out of the valgrind setup).

Exit status: 0 pass, 1 fail, 77 skip (sipp missing), 99 bad usage.
"""
import os
import shutil
import sys
import tempfile
import time

try:
    import selenium  # noqa: F401
except ImportError:
    # Debian's python3-selenium is for the system Python, which may not be
    # the python3 meson found first.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3") and not os.environ.get("C2C_REEXEC"):
        os.environ["C2C_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print(f"{os.path.basename(sys.argv[0])}: FAIL: Selenium is not installed "
          "(python3-selenium)", file=sys.stderr)
    sys.exit(1)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from c2c_support import Failure, Processes, check, log  # noqa: E402

TOKEN = "secret"
WAIT_S = 20


def find(name, candidates):
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        raise Failure(f"{name} is not installed")
    return found


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 99
    program, sipp, scenarios = sys.argv[1:]
    if not os.access(sipp, os.X_OK):
        log(f"SKIP: sipp is not installed ({sipp})")
        return 77
    procs = Processes()
    failed = True
    start = time.monotonic()
    driver = None
    profile = tempfile.mkdtemp(prefix="sipservlet-c2c-chromium.")
    try:
        chromium = find("chromium", [os.environ.get("CHROMIUM"), "/usr/bin/chromium"])
        chromedriver = find("chromedriver", [os.environ.get("CHROMEDRIVER"),
                                             "/usr/bin/chromedriver"])
        _, port_a = procs.start_sipp(sipp, os.path.join(scenarios, "c2c-a-answer.xml"), 1, "a")
        _, port_b = procs.start_sipp(sipp, os.path.join(scenarios, "c2c-b-answer.xml"), 1, "b",
                                     [port_a])
        _, base = procs.start_server(program, ["--listen", "127.0.0.1:0", "--http",
                                               "127.0.0.1:0", "--http-token", TOKEN,
                                               "--allow", "127.0.0.1"], wrapped=False)
        log(f"server at {base}")

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}"]:
            options.add_argument(arg)
        service = Service(executable_path=chromedriver,
                          log_output=os.path.join(procs.workdir, "chromedriver.log"))
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(WAIT_S)
        driver.get(base)
        check(driver.title == "Click-to-call", f"page title: {driver.title!r}")

        driver.find_element(By.ID, "from").send_keys(f"sip:a@127.0.0.1:{port_a}")
        driver.find_element(By.ID, "to").send_keys(f"sip:b@127.0.0.1:{port_b}")
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        driver.find_element(By.ID, "call").click()
        state = driver.find_element(By.ID, "state")
        error = driver.find_element(By.ID, "error")

        def wait_for(text):
            try:
                WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(
                    lambda d: state.text == text or error.text != "")
            except Exception:
                pass
            check(error.text == "", f"the page shows an error: {error.text!r}")
            check(state.text == text, f"#state is {state.text!r} after {WAIT_S}s, not {text!r}")
            log(f"#state: {text}")

        wait_for("answered")
        driver.find_element(By.ID, "hangup").click()
        wait_for("ended")
        procs.wait_sipps(30)
        procs.stop_server(30)
        failed = False
    except Failure as e:
        log(f"FAIL: {e}")
    except Exception as e:  # Selenium errors (no browser, no driver) are failures
        log(f"FAIL: {type(e).__name__}: {e}")
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        procs.cleanup(failed)
        shutil.rmtree(profile, ignore_errors=True)
    if failed:
        return 1
    log(f"PASS in {time.monotonic() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
