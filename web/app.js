// The live dashboard: asks for an API key, loads the accounts and orders the key may
// see, then follows every change over the WebSocket stream (resuming with `since` after
// a disconnect) and draws the settled transfers per second; lists the webhook endpoints
// with their latest deliveries (read-only, loaded again as events arrive). In English or Chinese: the
// words come from the server's catalogue of the chosen language (/i18n/<language>.json).
"use strict";

const state = { key: null, lastSeq: 0, accounts: new Map(), orders: new Map(),
                perSecond: new Map(), events: [], socket: null, online: false,
                language: "en", catalogue: null,
                webhooks: [], webhooksTimer: null, webhooksAsked: 0 };

const element = (id) => document.getElementById(id);

// The languages the server has catalogues for; the choice is remembered in this browser.
const languages = ["en", "zh"];
const languageStorageKey = "settle-language";

// The choice kept in this browser; a browser that refuses storage (a privacy setting)
// just forgets it.
function rememberedLanguage() {
  try {
    return localStorage.getItem(languageStorageKey);
  } catch (refused) {
    return null;
  }
}

function rememberLanguage(language) {
  try {
    localStorage.setItem(languageStorageKey, language);
  } catch (refused) {
    // not remembered; the page still switches
  }
}

// The language chosen before on this browser; else the first of the browser's own
// languages that we have (any Chinese is zh, as on the server); else English.
function initialLanguage() {
  const chosen = rememberedLanguage();
  if (languages.includes(chosen)) return chosen;
  for (const tag of navigator.languages || [navigator.language]) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (languages.includes(primary)) return primary;
  }
  return "en";
}

// A word of the page in the chosen language; its key itself while no catalogue is loaded.
function word(key) {
  return (state.catalogue && state.catalogue.dashboard[key]) || key;
}

function statusWord(status) {
  return (state.catalogue && state.catalogue.statuses[status]) || status;
}

function locale() {
  return state.catalogue ? state.catalogue.locale : "en-US";
}

// Loads the language's catalogue and rewrites every word of the page with it: the
// elements marked data-i18n (text) and data-i18n-aria-label, the tables, the badge.
async function useLanguage(language) {
  const response = await fetch("/i18n/" + language + ".json");
  if (!response.ok) throw new Error("/i18n/" + language + ".json answered " + response.status);
  state.catalogue = await response.json();
  state.language = language;
  moneyFormats.clear();
  document.documentElement.lang = state.catalogue.locale;
  element("language").value = language;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = word(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", word(node.dataset.i18nAriaLabel));
  }
  setOnline(state.online);
  renderAccounts();
  renderOrders();
  renderWebhooks();
  renderEvents();
  drawChart();
}

// An amount in minor units as money in its currency, in the chosen language: 123456
// USD is $1,234.56, JPY has no decimals, BHD three (the currency's own minor unit, which
// Intl knows from ISO 4217). An unknown code shows the plain number and the code.
const moneyFormats = new Map();
function formatMoney(amount, currency) {
  if (!moneyFormats.has(currency)) {
    let format = null;
    try {
      format = new Intl.NumberFormat(locale(), { style: "currency", currency });
    } catch (unknown) {
      format = null;
    }
    moneyFormats.set(currency, format);
  }
  const format = moneyFormats.get(currency);
  if (!format) return Number(amount).toLocaleString(locale()) + " " + currency;
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(Number(amount) / 10 ** digits);
}

function setOnline(online) {
  state.online = online;
  const badge = element("connection");
  badge.textContent = word(online ? "online" : "offline");
  badge.className = "badge " + (online ? "online" : "offline");
}

// A GET of the API; the server answers errors in the chosen language.
async function api(path) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + state.key,
                                                  "Accept-Language": state.language } });
  if (!response.ok) {
    const answer = await response.json().catch(() => null);
    throw new Error(answer && answer.error ? answer.error.message : path + " " + response.status);
  }
  return response.json();
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  if (className === "id") td.title = text; // whole, where a phone cuts it short
  return td;
}

function renderAccounts() {
  const body = element("accounts").querySelector("tbody");
  body.replaceChildren(...[...state.accounts.values()].map((account) => {
    const row = document.createElement("tr");
    row.id = "account-" + account.id;
    row.append(cell(account.id, "id"), cell(account.currency, "optional"),
               cell(formatMoney(account.balance, account.currency), "number"),
               cell(formatMoney(account.held, account.currency), "number optional"),
               cell(formatMoney(account.available, account.currency), "number"),
               cell(statusWord(account.status), "status-" + account.status + " optional"));
    return row;
  }));
}

function renderOrders() {
  const body = element("orders").querySelector("tbody");
  const newest = [...state.orders.values()].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  body.replaceChildren(...newest.slice(0, 50).map((order) => {
    const row = document.createElement("tr");
    row.id = "order-" + order.id;
    row.append(cell(order.id, "id"), cell(formatMoney(order.amount, order.currency), "number"),
               cell(statusWord(order.status), "status-" + order.status),
               cell(order.updated_at.slice(11, 19), "optional"));
    return row;
  }));
}

// A time of the API (RFC 3339) as the chosen language writes a time of day. Enough for a
// next attempt: retries are at most an hour apart.
function formatTime(at) {
  return new Date(at).toLocaleTimeString(locale());
}

// An element showing the catalogue's word for `key` (data-i18n: rewritten on a switch).
function wordElement(tag, key, className) {
  const node = document.createElement(tag);
  node.dataset.i18n = key;
  node.textContent = word(key);
  if (className) node.className = className;
  return node;
}

// The webhook endpoints and, for each, its latest deliveries (newest first).
const deliveryColumns = [["seq"], ["event", "optional"], ["status"], ["attempts", "number optional"],
                         ["status_code", "number"], ["next_attempt"]];

function deliveryRow(delivery) {
  const row = document.createElement("tr");
  row.id = "delivery-" + delivery.id;
  row.dataset.seq = delivery.event_seq;
  const next = delivery.status === "pending" && delivery.next_attempt_at;
  const nextCell = cell(next ? formatTime(next) : "");
  if (next) nextCell.title = next;
  row.append(cell("#" + delivery.event_seq), cell(delivery.event, "optional"),
             cell(statusWord(delivery.status), "status-" + delivery.status),
             cell(String(delivery.attempts), "number optional"),
             cell(delivery.last_status_code === null ? "—" : String(delivery.last_status_code), "number"),
             nextCell);
  return row;
}

function endpointBlock({ endpoint, deliveries }) {
  const block = document.createElement("div");
  block.className = "endpoint";
  block.id = "webhook-" + endpoint.id;
  const url = document.createElement("span");
  url.className = "url";
  url.textContent = url.title = endpoint.url;
  const status = document.createElement("span");
  status.className = "status-" + endpoint.status;
  status.textContent = statusWord(endpoint.status);
  const heading = document.createElement("div");
  heading.className = "endpoint-heading";
  heading.append(url, status);
  const filters = document.createElement("p");
  filters.className = "hint";
  filters.append(wordElement("span", "webhook_filters"), " " + endpoint.events.join(", "));
  block.append(heading, filters);
  if (deliveries.length === 0) {
    block.append(wordElement("p", "no_deliveries", "hint"));
    return block;
  }
  const table = document.createElement("table");
  table.createTHead().insertRow().append(...deliveryColumns.map(([key, className]) =>
    wordElement("th", key, className)));
  table.createTBody().append(...deliveries.map(deliveryRow));
  block.append(table);
  return block;
}

function renderWebhooks() {
  element("webhooks").replaceChildren(...state.webhooks.map(endpointBlock));
}

// Asks for the endpoints (an admin key sees every tenant's) and their 10 latest
// deliveries; an answer older than the latest question is dropped.
async function loadWebhooks() {
  state.webhooksTimer = null;
  const asked = ++state.webhooksAsked;
  const endpoints = await api("/v1/webhook_endpoints?limit=100");
  const webhooks = await Promise.all(endpoints.data.map(async (endpoint) => ({ endpoint,
    deliveries: (await api(`/v1/webhook_endpoints/${endpoint.id}/deliveries?limit=10`)).data })));
  if (asked !== state.webhooksAsked) return;
  state.webhooks = webhooks;
  element("webhooks-empty").hidden = webhooks.length > 0;
  renderWebhooks();
}

// After live events, the webhooks are loaded again 2 s later, so at most every 2 s; the
// wait also lets the deliveries of those events end (one is listed after its first attempt).
function loadWebhooksSoon() {
  if (state.webhooksTimer) return;
  state.webhooksTimer = setTimeout(() => loadWebhooks().catch((error) => console.error(error)), 2000);
}

// The newest 200 events, newest first; kept so that a language change rewrites their money.
const shownEvents = 200;

function eventLine(message) {
  const item = document.createElement("li");
  item.dataset.seq = message.seq;
  const seq = document.createElement("span");
  seq.textContent = "#" + message.seq;
  const name = document.createElement("span");
  name.textContent = message.event;
  const id = document.createElement("span");
  id.className = "id";
  id.textContent = message.object.id + (message.object.amount !== undefined
    ? "  " + formatMoney(message.object.amount, message.object.currency || "") : "");
  item.append(seq, name, id);
  return item;
}

function renderEvents() {
  element("events").replaceChildren(...state.events.map(eventLine));
}

function addEvent(message) {
  state.events.unshift(message);
  if (state.events.length > shownEvents) state.events.pop();
  element("events").prepend(eventLine(message));
  while (element("events").children.length > shownEvents) element("events").lastChild.remove();
}

function countTransfer(at) {
  const second = Math.floor(Date.parse(at) / 1000);
  state.perSecond.set(second, (state.perSecond.get(second) || 0) + 1);
}

function handleEvent(message) {
  if (message.seq <= state.lastSeq) return;
  state.lastSeq = message.seq;
  const object = message.object;
  if (message.event.startsWith("account.")) {
    state.accounts.set(object.id, object);
    renderAccounts();
  } else if (message.event.startsWith("order.")) {
    state.orders.set(object.id, object);
    renderOrders();
  } else if (message.event === "transfer.settled") {
    countTransfer(message.at);
    drawChart();
  }
  addEvent(message);
  loadWebhooksSoon();
}

function drawChart() {
  const canvas = element("chart");
  const context = canvas.getContext("2d");
  const now = Math.floor(Date.now() / 1000);
  const seconds = [];
  for (let second = now - 59; second <= now; ++second) seconds.push(state.perSecond.get(second) || 0);
  for (const second of state.perSecond.keys()) if (second < now - 120) state.perSecond.delete(second);
  const highest = Math.max(1, ...seconds);
  context.clearRect(0, 0, canvas.width, canvas.height);
  const width = canvas.width / seconds.length;
  context.fillStyle = "#2f6fed";
  seconds.forEach((count, index) => {
    const height = (count / highest) * (canvas.height - 20);
    context.fillRect(index * width + 1, canvas.height - height, width - 2, height);
  });
  context.fillStyle = "#e3e6ec";
  context.fillRect(0, canvas.height - 1, canvas.width, 1);
  context.fillStyle = "#6b7385";
  context.font = "11px sans-serif";
  context.fillText(word("chart_maximum").replace("{count}", highest), 4, 12);
  element("rate").textContent = word("rate").replace("{count}", seconds[seconds.length - 2]);
}

function connectStream() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + "/v1/stream");
  state.socket = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "auth", token: state.key }));
    // First live events only; after a reconnect, everything since the last one seen.
    const subscription = { type: "subscribe", topics: ["*"] };
    if (state.lastSeq > 0) subscription.since = state.lastSeq;
    socket.send(JSON.stringify(subscription));
  };
  socket.onmessage = (frame) => {
    const message = JSON.parse(frame.data);
    if (message.type === "subscribed") setOnline(true);
    if (message.type === "event") handleEvent(message);
  };
  socket.onclose = () => {
    setOnline(false);
    setTimeout(connectStream, 1000); // resumes after lastSeq: nothing is missed
  };
}

async function loadSnapshot() {
  const [accounts, orders] = await Promise.all([api("/v1/accounts?limit=100"),
                                                 api("/v1/orders?limit=100")]);
  accounts.data.forEach((account) => state.accounts.set(account.id, account));
  orders.data.forEach((order) => state.orders.set(order.id, order));
  renderAccounts();
  renderOrders();
}

async function start(key) {
  state.key = key;
  try {
    await loadSnapshot();
  } catch (error) {
    alert(word("key_refused") + " " + error.message);
    return;
  }
  sessionStorage.setItem("settle-key", key);
  element("login").hidden = true;
  element("dashboard").hidden = false;
  connectStream();
  loadWebhooks().catch((error) => console.error(error));
  setInterval(drawChart, 500);
}

element("login").addEventListener("submit", (submitted) => {
  submitted.preventDefault();
  start(element("api-key").value.trim());
});

element("language").addEventListener("change", (changed) => {
  rememberLanguage(changed.target.value);
  useLanguage(changed.target.value).catch((error) => console.error(error));
});

// The words first (the page keeps its English if the catalogue cannot load), then the
// key this tab remembers.
useLanguage(initialLanguage()).catch((error) => console.error(error)).finally(() => {
  const remembered = sessionStorage.getItem("settle-key");
  if (remembered) start(remembered);
});
