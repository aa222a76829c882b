// The dashboard in a real browser: a real settled on a fresh SQLite file, Debian's
// Chromium driven by playwright-core. Enters an admin key, makes a transfer over HTTP,
// and checks that it shows on the page within 2 seconds, with amounts as money in their
// currency's minor unit (USD two decimals, JPY none, BHD three); then the same page on a
// phone's screen (375x812) must not be wider than the screen; then switches the page to
// Chinese: every word from the zh catalogue, money in zh-CN's format, statuses in
// Chinese, the API asked with Accept-Language: zh, and the choice kept after a reload
// (localStorage), and on the phone; saves screenshots in both languages. A webhook
// endpoint registered through the API (settled runs with --webhooks.allow-private) points
// at a receiver in this process: once it has received a transfer's event, the page shows
// the endpoint and that delivery (succeeded, 1 attempt, code 200), in both languages. With
// SETTLE_TEST_TLS_CERT and SETTLE_TEST_TLS_KEY set, settled serves HTTPS and the page's
// events come over WSS (run.sh makes the certificate; the browser is told to accept it).
//   node dashboard_test.js SETTLED_BINARY ARTIFACT_FOLDER
"use strict";

const { chromium } = require("playwright-core");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");

const [binary, artifacts] = process.argv.slice(2);
const tls = Boolean(process.env.SETTLE_TEST_TLS_CERT);
const chromiumFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-default-apps"];

function startSettled() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "settle-browser-"));
  const options = ["--http.listen=127.0.0.1:0", `--storage.url=sqlite:${folder}/settle.db`,
                   "--webhooks.allow-private"]; // the test's receiver is on 127.0.0.1
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

// A language's catalogue, as the page gets it.
async function catalogueOf(server, language) {
  return (await fetch(server.url + "/i18n/" + language + ".json")).json();
}

async function openPage(browser, options) {
  const page = await browser.newPage({ ...options, ignoreHTTPSErrors: tls });
  return page;
}

// A webhook receiver on 127.0.0.1: answers 200 to every POST and keeps the events.
function startReceiver() {
  const events = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      if (request.method === "POST") events.push(JSON.parse(body));
      response.writeHead(request.method === "POST" ? 200 : 405, { "Content-Length": "0" });
      response.end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    server, events, url: `http://127.0.0.1:${server.address().port}/settle/webhooks` })));
}

// Waits (10 s at most) until the receiver has the event of `object` named `name`.
async function received(receiver, name, object) {
  const until = Date.now() + 10000;
  for (;;) {
    const found = receiver.events.find((event) => event.event === name && event.object.id === object.id);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the receiver did not get ${name} of ${object.id}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The page shows the endpoint (its URL and status) and the delivery of the event `seq`:
// succeeded after 1 attempt, answered 200 (loaded again 2 s after the events: 5 s at most).
async function showsDelivery(page, catalogue, endpoint, seq) {
  const row = `#webhook-${endpoint.id} tr[data-seq="${seq}"]`;
  await page.waitForSelector(row, { timeout: 5000 });
  const shown = await page.$$eval(`${row} td`, (cells) => cells.map((td) => td.textContent));
  const expected = ["#" + seq, "transfer.settled", catalogue.statuses.succeeded, "1", "200", ""];
  if (JSON.stringify(shown) !== JSON.stringify(expected)) {
    throw new Error(`the delivery of event ${seq} reads ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
  }
  const heading = await page.textContent(`#webhook-${endpoint.id} .endpoint-heading`);
  if (heading !== endpoint.url + catalogue.statuses.enabled) {
    throw new Error(`the endpoint reads "${heading}"`);
  }
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

// Every element marked data-i18n shows its word from the catalogue, none its key.
async function checkWords(page, catalogue) {
  const wrong = await page.evaluate((words) => [...document.querySelectorAll("[data-i18n]")]
    .filter((node) => node.textContent !== words[node.dataset.i18n])
    .map((node) => `${node.dataset.i18n}: "${node.textContent}"` + (node.dataset.i18n in words ? ""
      : " (not in the catalogue that settled serves)")),
    catalogue.dashboard);
  if (wrong.length > 0) throw new Error("words not in the chosen language: " + wrong.join(", "));
}

// Chooses Chinese on the wide page, checks the words, money, statuses and the API's
// Accept-Language, reloads (the choice is remembered), then the same on the phone.
async function checkChinese(server, page, phone, objects, artifacts) {
  const catalogue = await catalogueOf(server, "zh");
  const languagesAsked = [];
  page.on("request", (request) => {
    const route = new URL(request.url()).pathname;
    if (route.startsWith("/v1/") && route !== "/v1/stream") {
      languagesAsked.push(request.headers()["accept-language"]);
    }
  });
  await page.selectOption("#language", "zh");
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN", null, { timeout: 2000 });
  await checkWords(page, catalogue);
  // zh-CN writes foreign dollars and yen with their country (US$, JP¥); BHD as its code.
  for (const [account, expected] of [[objects.payer, "US$495.00"], [objects.yen, "JP¥123,456"],
                                     [objects.dinar, "BHD 123.456"]]) {
    await shows(page, account, expected);
  }
  for (const [cell, status] of [[`#account-${objects.payer.id} td:nth-child(6)`, "open"],
                                [`#order-${objects.order.id} td:nth-child(3)`, "authorized"]]) {
    const shown = await page.textContent(cell);
    if (shown !== catalogue.statuses[status]) throw new Error(`${status} reads "${shown}" in Chinese`);
  }
  await showsDelivery(page, catalogue, objects.endpoint, objects.delivered.seq);
  await page.reload();
  await page.waitForSelector("#connection.online", { timeout: 10000 });
  await page.waitForSelector(`#account-${objects.payer.id}`, { timeout: 5000 });
  await checkWords(page, catalogue);
  if (await page.inputValue("#language") !== "zh") throw new Error("the language was not remembered");
  if (languagesAsked.length === 0 || languagesAsked.some((asked) => asked !== "zh")) {
    throw new Error("the API was asked in " + JSON.stringify(languagesAsked) + ", not zh");
  }
  await shows(page, objects.payer, "US$495.00");
  await showsDelivery(page, catalogue, objects.endpoint, objects.delivered.seq);
  // One more transfer, so that the screenshot shows an event with its money in Chinese.
  const transfer = await call(server, "POST", "/v1/transfers",
    { from_account: objects.payer.id, to_account: objects.payee.id, amount: 100, currency: "USD" });
  await page.waitForSelector(`#events li >> text=${transfer.id}`, { timeout: 2000 });
  await shows(page, objects.payer, "US$494.00");
  await page.screenshot({ path: path.join(artifacts, tls ? "dashboard-zh-https.png" : "dashboard-zh.png"), fullPage: true });

  // The phone is another browser context (its own localStorage): it chooses too.
  await phone.selectOption("#language", "zh");
  await phone.waitForFunction(() => document.documentElement.lang === "zh-CN", null, { timeout: 2000 });
  await checkWords(phone, catalogue);
  await shows(phone, objects.payer, "US$494.00");
  await showsDelivery(phone, catalogue, objects.endpoint, objects.delivered.seq);
  // The events shown before the switch are written again in the new format.
  const oldEvent = await phone.textContent(`#events li[data-seq="${objects.laterSeq}"] .id`);
  if (!oldEvent.endsWith("US$12.34")) throw new Error(`an earlier event reads "${oldEvent}" in Chinese`);
  const width = await phone.evaluate(() => Math.max(document.documentElement.scrollWidth,
                                                    document.body.scrollWidth));
  if (width > 375) throw new Error(`in Chinese, on a 375 px screen the page is ${width} px wide`);
  await phone.screenshot({ path: path.join(artifacts, tls ? "dashboard-phone-zh-https.png" : "dashboard-phone-zh.png"), fullPage: true });
}

async function main() {
  const server = await startSettled();
  const receiver = await startReceiver();
  let browser;
  try {
    // Registered first: an endpoint receives the events committed after it.
    const endpoint = await call(server, "POST", "/v1/webhook_endpoints",
      { url: receiver.url, events: ["transfer.settled"], description: "Browser test" });
    const user = await call(server, "POST", "/v1/users", { name: "Browser", email: "browser@example.com" });
    const payer = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    const payee = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "USD" });
    await call(server, "POST", `/v1/accounts/${payer.id}/deposits`, { amount: 50000 });
    const yen = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "JPY" });
    await call(server, "POST", `/v1/accounts/${yen.id}/deposits`, { amount: 123456 });
    const dinar = await call(server, "POST", "/v1/accounts", { user_id: user.id, currency: "BHD" });
    await call(server, "POST", `/v1/accounts/${dinar.id}/deposits`, { amount: 123456 });
    // An authorized order, so that the orders table has a status to translate.
    const order = await call(server, "POST", "/v1/orders", { payer_account: payer.id,
      payee_account: payee.id, amount: 3000, currency: "USD", capture_method: "manual" });
    await call(server, "POST", `/v1/orders/${order.id}/confirm`);

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumFlags,
                                      headless: true });
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
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
    const english = await catalogueOf(server, "en");
    await checkWords(page, english);
    const delivered = await received(receiver, "transfer.settled", transfer);
    await showsDelivery(page, english, endpoint, delivered.seq);
    console.log(`${server.url}: the webhook receiver got event ${delivered.seq}, and the page shows its delivery`);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, tls ? "dashboard-https.png" : "dashboard.png"),
                            fullPage: true });

    // A phone: the page fits the screen's width, and the accounts and events still show.
    const phone = await openPage(browser, { viewport: { width: 375, height: 812 }, isMobile: true,
                                            hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(server.url + "/");
    await phone.fill("#api-key", server.key);
    await phone.click("#connect");
    await phone.waitForSelector("#connection.online", { timeout: 10000 });
    await phone.waitForSelector(`#account-${payer.id}`, { timeout: 5000 });
    const later = await call(server, "POST", "/v1/transfers",
      { from_account: payee.id, to_account: payer.id, amount: 1234, currency: "USD" });
    await phone.waitForSelector(`#events li >> text=${later.id}`, { timeout: 2000 });
    await shows(phone, payer, "$495.00");
    await showsDelivery(phone, english, endpoint, delivered.seq); // the webhooks too must fit
    if (!(await phone.isVisible(`#account-${payer.id} td:nth-child(3)`))) {
      throw new Error("on a phone the payer's balance is not visible");
    }
    const width = await phone.evaluate(() => Math.max(document.documentElement.scrollWidth,
                                                      document.body.scrollWidth));
    if (width > 375) throw new Error(`on a 375 px screen the page is ${width} px wide`);
    await phone.screenshot({ path: path.join(artifacts, tls ? "dashboard-phone-https.png" : "dashboard-phone.png"),
                             fullPage: true });
    const laterSeq = await phone.getAttribute(`#events li:has-text("${later.id}")`, "data-seq");
    await checkChinese(server, page, phone,
                       { payer, payee, yen, dinar, order, laterSeq, endpoint, delivered }, artifacts);
    console.log("1 passed, 0 failed");
  } finally {
    if (browser) await browser.close();
    receiver.server.close();
    server.child.kill("SIGTERM");
    fs.rmSync(server.folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
