// The dashboard in a real browser: a real settled on a fresh SQLite file, Debian's
// Chromium driven by playwright-core. Enters an admin key, makes a transfer over HTTP,
// and checks that it shows on the page within 2 seconds, with amounts as money in their
// currency's minor unit (USD two decimals, JPY none, BHD three); then the same page on a
// phone's screen (375x812) must not be wider than the screen; saves screenshots. With
// SETTLE_TEST_TLS_CERT and SETTLE_TEST_TLS_KEY set, settled serves HTTPS and the page's
// events come over WSS (run.sh makes the certificate; the browser is told to accept it).
//   node dashboard_test.js SETTLED_BINARY ARTIFACT_FOLDER
"use strict";

const { chromium } = require("playwright-core");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const [binary, artifacts] = process.argv.slice(2);
const tls = Boolean(process.env.SETTLE_TEST_TLS_CERT);
const chromiumFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-default-apps"];

function startSettled() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "settle-browser-"));
  const options = ["--http.listen=127.0.0.1:0", `--storage.url=sqlite:${folder}/settle.db`];
  if (tls) {
    options.push(`--http.tls-cert=${process.env.SETTLE_TEST_TLS_CERT}`,
                 `--http.tls-key=${process.env.SETTLE_TEST_TLS_KEY}`);
  }
  const child = spawn(binary, options, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error("settled did not start: " + output)), 30000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const url = output.match(tls ? /listening on (https:\/\/[0-9.:]+)/ : /listening on (http:\/\/[0-9.:]+)/);
      const key = output.match(/sk_admin_[a-z0-9]+/);
      if (url && key) {
        clearTimeout(timer);
        resolve({ child, url: url[1], key: key[0], folder });
      }
    });
    child.on("exit", (code) => reject(new Error("settled exited with " + code + ": " + output)));
  });
}

async function call(server, method, route, body) {
  const response = await fetch(server.url + route, {
    method,
    headers: { Authorization: "Bearer " + server.key, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

// Waits (2 s at most) until the page shows `expected` as the account's balance: the
// account's update may come a message after the event the test waited for.
async function shows(page, account, expected) {
  const cell = `#account-${account.id} td:nth-child(3)`;
  try {
    await page.waitForFunction(([selector, text]) => {
      const found = document.querySelector(selector);
      return found && found.textContent.replace(/\u00a0/g, " ") === text;
    }, [cell, expected], { timeout: 2000 });
  } catch (timeout) {
    const shown = await page.textContent(cell);
    throw new Error(`the balance of ${account.id} on the page is ${shown}, expected ${expected}`);
  }
}

async function main() {
  const server = await startSettled();
  let browser;
  try {
    const user = await call(server, "POST", "/v1/users", { name: "Browser", email: "browser@example.com" });
    const payer = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    const payee = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    await call(server, "POST", `/v1/accounts/${payer.id}/deposits`, { amount: 50000 });
    const yen = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "JPY" });
    await call(server, "POST", `/v1/accounts/${yen.id}/deposits`, { amount: 123456 });
    const dinar = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "BHD" });
    await call(server, "POST", `/v1/accounts/${dinar.id}/deposits`, { amount: 123456 });

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumFlags,
                                      headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: tls });
    await page.goto(server.url + "/");
    await page.fill("#api-key", server.key);
    await page.click("#connect");
    await page.waitForSelector("#connection.online", { timeout: 10000 });
    await page.waitForSelector(`#account-${payer.id}`, { timeout: 5000 });

    // A few transfers first, so the chart has something to draw in the screenshot.
    for (let i = 0; i < 5; ++i) {
      await call(server, "POST", "/v1/transfers",
        { from_account: payer.id, to_account: payee.id, amount: 100, currency: "USD" });
    }
    const transfer = await call(server, "POST", "/v1/transfers",
      { from_account: payer.id, to_account: payee.id, amount: 1234, currency: "USD" });
    const shownAt = Date.now();
    await page.waitForSelector(`#events li >> text=${transfer.id}`, { timeout: 2000 });
    for (const [account, expected] of [[payer, "$482.66"], [yen, "¥123,456"], [dinar, "BHD 123.456"]]) {
      await shows(page, account, expected);
    }
    console.log(`${server.url}: the transfer ${transfer.id} appeared ${Date.now() - shownAt} ms after its answer`);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, tls ? "dashboard-https.png" : "dashboard.png"),
                            fullPage: true });

    // A phone: the page fits the screen's width, and the accounts and events still show.
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true,
                                          hasTouch: true, deviceScaleFactor: 2,
                                          ignoreHTTPSErrors: tls });
    await phone.goto(server.url + "/");
    await phone.fill("#api-key", server.key);
    await phone.click("#connect");
    await phone.waitForSelector("#connection.online", { timeout: 10000 });
    await phone.waitForSelector(`#account-${payer.id}`, { timeout: 5000 });
    const later = await call(server, "POST", "/v1/transfers",
      { from_account: payee.id, to_account: payer.id, amount: 1234, currency: "USD" });
    await phone.waitForSelector(`#events li >> text=${later.id}`, { timeout: 2000 });
    await shows(phone, payer, "$495.00");
    if (!(await phone.isVisible(`#account-${payer.id} td:nth-child(3)`))) {
      throw new Error("on a phone the payer's balance is not visible");
    }
    const width = await phone.evaluate(() => Math.max(document.documentElement.scrollWidth,
                                                      document.body.scrollWidth));
    if (width > 375) throw new Error(`on a 375 px screen the page is ${width} px wide`);
    await phone.screenshot({ path: path.join(artifacts, tls ? "dashboard-phone-https.png" : "dashboard-phone.png"),
                             fullPage: true });
    console.log("1 passed, 0 failed");
  } finally {
    if (browser) await browser.close();
    server.child.kill("SIGTERM");
    fs.rmSync(server.folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
