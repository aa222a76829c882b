// The dashboard in a real browser: a real settled on a fresh SQLite file, Debian's
// Chromium driven by playwright-core. Enters an admin key, makes a transfer over HTTP,
// and checks that it shows on the page within 2 seconds; saves a screenshot. With
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

async function main() {
  const server = await startSettled();
  let browser;
  try {
    const user = await call(server, "POST", "/v1/users", { name: "Browser", email: "browser@example.com" });
    const payer = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    const payee = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    await call(server, "POST", `/v1/accounts/${payer.id}/deposits`, { amount: 50000 });

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
    const balance = await page.textContent(`#account-${payer.id} td:nth-child(3)`);
    const expected = (50000 - 5 * 100 - 1234).toString();
    if (balance.replace(/[^0-9]/g, "") !== expected) {
      throw new Error("payer balance on the page is " + balance + ", expected " + expected);
    }
    console.log(`${server.url}: the transfer ${transfer.id} appeared ${Date.now() - shownAt} ms after its answer`);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, tls ? "dashboard-https.png" : "dashboard.png"),
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
