// The Lotsen web chat. Plain ES2020, no framework, no build step.
//
// Rules this file keeps (see the README's "Web chat" section):
// - every text from the server or the person is inserted with textContent, never as HTML
//   (the page's CSP enforces Trusted Types, so an HTML sink would throw);
// - text carries dir="auto": a message not yet translated (shown in the source language)
//   or typed in another script keeps its own direction inside a right-to-left page;
// - the only thing stored is the session token, in sessionStorage (gone when the tab closes);
// - every event carries an id the page makes for it; an event whose answer was lost is sent
//   again with the same id, and the server answers it with the answer it gave, never with a
//   second turn;
// - the quick exit (button, or Shift pressed three times) forgets the session on the server,
//   clears the tab's storage and replaces the page, so Back does not return to it.
"use strict";

(() => {
  const SESSION_KEY = "lotsen.session";
  const EXPLAINED_KEY = "lotsen.exitExplained"; // early.js reads it too, before the first paint
  const SHIFT_PRESSES = 3;
  const SHIFT_WINDOW_MS = 2000;
  const SAFE_LINK = /^(https?:|tel:|mailto:)/i;
  // Answers that may have been lost on the way: the network, or a proxy in front of Lotsen.
  const LOST = [502, 503, 504];
  const RETRY_DELAY_MS = 1000;

  const byId = (id) => document.getElementById(id);
  const exitLink = byId("quick-exit");
  const exitCount = byId("exit-count");
  const log = byId("log");
  const choices = byId("choices");
  const hint = byId("hint");
  const status = byId("status");
  const trouble = byId("trouble");
  const retryButton = byId("retry");
  const sendButton = byId("send");
  const form = byId("composer");
  const input = byId("message");
  const languageMenu = byId("language");

  let session = readSession();
  let words = {};
  let busy = false;
  let failed = null; // the last turn that got no answer: what "Försök igen" sends again
  let leaving = false;
  let unanswered = null; // { key, id }: the last event sent that got no answer

  // --- storage: sessionStorage only, and tolerate its absence (private modes, policies) ---

  function readSession() {
    try {
      return sessionStorage.getItem(SESSION_KEY);
    } catch (_) {
      return null;
    }
  }

  function writeSession(value) {
    session = value;
    try {
      if (value) sessionStorage.setItem(SESSION_KEY, value);
      else sessionStorage.removeItem(SESSION_KEY);
    } catch (_) {
      // Without storage the conversation still works for as long as the page is open.
    }
  }

  // --- quick exit ---------------------------------------------------------------------------

  function quickExit(event) {
    if (event) event.preventDefault();
    if (leaving) return;
    leaving = true;
    const token = session || readSession();
    if (token) forgetOnServer(token);
    try {
      sessionStorage.clear();
    } catch (_) {
      // Nothing to clear.
    }
    // Empty the page first, so a snapshot kept by the browser shows nothing.
    document.title = "";
    document.body.replaceChildren();
    leave(exitLink.href);
  }

  // Replace the whole window, also when the chat is embedded in another site's <iframe>:
  // the host page can show what the person was looking for too. A frame may replace its top
  // window's location when the person has just pressed something; where that is refused
  // (a sandboxed frame), at least the frame itself leaves.
  function leave(url) {
    if (window.top !== window.self) {
      try {
        window.top.location.replace(url);
      } catch (_) {
        // Not allowed: fall through.
      }
    }
    window.location.replace(url);
  }

  function forgetOnServer(token) {
    const body = JSON.stringify({ session: token });
    // A beacon is sent even while the page unloads. text/plain keeps it a simple request.
    const sent = navigator.sendBeacon && navigator.sendBeacon("/api/forget", new Blob([body], { type: "text/plain" }));
    if (!sent) {
      fetch("/api/forget", { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
    }
  }

  let shiftTimes = [];
  let exitCountTimer = 0;
  function onKeyDown(event) {
    // Shift pressed three times in a row (GOV.UK's "Exit this page"); any other key in
    // between starts the count again, so typing capital letters never triggers it.
    if (event.key !== "Shift") {
      if (shiftTimes.length) exitCount.textContent = "";
      shiftTimes = [];
      return;
    }
    if (event.repeat) return;
    const now = Date.now();
    shiftTimes = shiftTimes.filter((t) => now - t < SHIFT_WINDOW_MS);
    shiftTimes.push(now);
    if (shiftTimes.length >= SHIFT_PRESSES) {
      quickExit(null);
      return;
    }
    // Said to a screen reader, as GOV.UK does: someone who pressed Shift by chance learns
    // what it does, someone leaving knows it is working.
    const left = SHIFT_PRESSES - shiftTimes.length;
    exitCount.textContent = (left === 1 ? words.web_quick_exit_one_more : words.web_quick_exit_two_more) || "";
    clearTimeout(exitCountTimer);
    exitCountTimer = setTimeout(() => {
      exitCount.textContent = "";
    }, SHIFT_WINDOW_MS);
  }

  function explainExitOnce() {
    let explained = false;
    try {
      explained = sessionStorage.getItem(EXPLAINED_KEY) === "1";
    } catch (_) {
      explained = false;
    }
    const note = byId("exit-note");
    if (explained) {
      note.hidden = true; // early.js has kept it from being drawn at all
      return;
    }
    note.hidden = false;
    byId("exit-note-ok").addEventListener("click", () => {
      note.hidden = true;
      try {
        sessionStorage.setItem(EXPLAINED_KEY, "1");
      } catch (_) {
        // Then it is explained again next time, which is no harm.
      }
      input.focus();
    });
  }

  // --- talking to the server ----------------------------------------------------------------

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    let data = null;
    if (response.status !== 204) {
      data = await response.json().catch(() => null);
    }
    return { status: response.status, data };
  }

  async function ensureSession() {
    if (session) return session;
    const { status: code, data } = await post("/api/session", {});
    if (code !== 201 || !data || typeof data.session !== "string") throw new Error("session");
    writeSession(data.session);
    return session;
  }

  function localeHint() {
    return (navigator.languages || [navigator.language || ""]).join(",").slice(0, 200);
  }

  // 16 random URL-safe characters: an event's id, meaningless outside its session.
  function newEventId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }

  // The same event sent again after it got no answer keeps its id; anything else is new.
  function eventId(event) {
    const key = JSON.stringify(event);
    if (!unanswered || unanswered.key !== key) unanswered = { key, id: newEventId() };
    return unanswered.id;
  }

  function pause(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // One event to the server. An answer lost on the way is asked for once more, a second
  // later, with the same id; if that fails too, the person's own retry (the same button, the
  // same text) still carries it.
  async function postEvent(event) {
    const body = { session, id: eventId(event), locale_hint: localeHint(), ...event };
    let answer = await post("/api/event", body).catch(() => null);
    if ((!answer || LOST.includes(answer.status)) && !leaving) {
      await pause(RETRY_DELAY_MS);
      if (leaving) throw new Error("leaving"); // the quick exit came: nothing more to say
      answer = await post("/api/event", body);
    }
    if (!answer) throw new Error("no answer");
    if (answer.status < 500) unanswered = null; // answered or refused: the next one is new
    return answer;
  }

  // Send one event; `echo` is what to show as the person's own message (a button's label
  // or what they typed), shown only on this page.
  async function send(event, echo, focusAfter, pressed) {
    if (busy || leaving) return false;
    busy = true;
    setStatus("");
    working(pressed, true);
    failed = { event, echo, focusAfter }; // until an answer comes
    try {
      await ensureSession();
      let answer = await postEvent(event);
      // A session the server no longer knows (forgotten, expired): start a new one, where
      // the event is a new event with an id of its own.
      if ((answer.status === 401 || answer.status === 400) && answer.data &&
          answer.data.error === "bad_session") {
        writeSession(null);
        unanswered = null;
        await ensureSession();
        answer = await postEvent(event);
      }
      if (answer.status === 429) {
        setStatus(words.web_slow_down, true);
        return false;
      }
      if (answer.status !== 200 || !answer.data) {
        setStatus(words.web_error, true);
        return false;
      }
      failed = null;
      const previous = log.lastElementChild;
      if (echo) addOwnMessage(echo);
      show(answer.data, focusAfter, previous);
      return true;
    } catch (_) {
      setStatus(words.web_error, true);
      return false;
    } finally {
      busy = false;
      working(pressed, false);
    }
  }

  // The pressed button (or the send button) says it is working, at once: a second tap
  // then meets a button visibly busy, not a dead page.
  function working(pressed, on) {
    if (pressed) {
      pressed.classList.toggle("pending", on);
      if (on) pressed.setAttribute("aria-busy", "true");
      else pressed.removeAttribute("aria-busy");
    }
    if (on) choices.setAttribute("aria-busy", "true");
    else choices.removeAttribute("aria-busy");
  }

  function retry() {
    if (!failed || busy) return;
    const again = failed;
    send(again.event, again.echo, again.focusAfter, retryButton).then((ok) => {
      if (ok && again.event.type === "text") input.value = "";
    });
  }

  // --- showing what the server says ---------------------------------------------------------

  // `previous` is the last message before this turn's, if any.
  function show(data, focusAfter, previous) {
    applyLocale(data);
    const buttons = [];
    for (const reply of data.replies) {
      if (reply.text || reply.cards.length) log.append(botMessage(reply));
      buttons.push(...reply.buttons);
    }
    const expectsText = data.replies.some((reply) => reply.expects_text);
    showChoices(buttons);
    hint.textContent = expectsText ? words.can_type || "" : "";
    hint.hidden = !expectsText;
    if (data.forgotten) writeSession(null);
    // Reading starts at the first new message, not at the last: a long answer is read from
    // its beginning. The first answer of all leaves the page at its top, where the quick
    // exit is explained.
    const first = previous ? previous.nextElementSibling : null;
    if (first) first.scrollIntoView({ block: "start" });
    const next = choices.firstElementChild;
    if (focusAfter === "keyboard" && next) {
      // From the keyboard, the focus goes to the first new button and into view with it.
      next.focus();
    } else if (focusAfter === "pointer" && next) {
      next.focus({ preventScroll: true });
    } else if (focusAfter === "input") {
      input.focus({ preventScroll: true });
    }
  }

  function applyLocale(data) {
    words = data.interface || words;
    const root = document.documentElement;
    root.lang = data.lang;
    root.dir = data.dir;
    for (const element of document.querySelectorAll("[data-text]")) {
      const text = words[element.dataset.text];
      if (typeof text === "string") element.textContent = text;
    }
    for (const element of document.querySelectorAll("[data-placeholder]")) {
      const text = words[element.dataset.placeholder];
      if (typeof text === "string") element.placeholder = text;
    }
    for (const element of document.querySelectorAll("[data-label]")) {
      const text = words[element.dataset.label];
      if (typeof text === "string") {
        element.setAttribute("aria-label", text);
        element.title = text;
      }
    }
    if (typeof words.web_title === "string") document.title = words.web_title;
    fillLanguageMenu(data);
  }

  function fillLanguageMenu(data) {
    const options = data.languages.map((language) => {
      const option = document.createElement("option");
      option.value = language.token;
      option.textContent = language.name;
      option.lang = language.lang;
      option.dir = language.dir;
      option.selected = language.code === data.locale;
      return option;
    });
    languageMenu.replaceChildren(...options);
    // A menu with one language in it is no choice: show it only when there are two.
    byId("language-menu").hidden = options.length < 2;
  }

  function botMessage(reply) {
    const article = document.createElement("article");
    article.className = "message bot";
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (words.web_bot || "Lotsen") + ": ";
    article.append(who);
    if (reply.text) {
      const text = document.createElement("p");
      text.dir = "auto";
      text.textContent = reply.text;
      article.append(text);
    }
    for (const card of reply.cards) article.append(contactCard(card));
    return article;
  }

  function contactCard(card) {
    const section = document.createElement("section");
    section.className = "card";
    const name = document.createElement("h2");
    name.dir = "auto";
    name.textContent = card.name;
    const facts = document.createElement("ul");
    for (const fact of card.facts) {
      const item = document.createElement("li");
      item.className = "fact fact-" + fact.kind;
      item.dir = "auto";
      if (typeof fact.href === "string" && SAFE_LINK.test(fact.href)) {
        const link = document.createElement("a");
        link.href = fact.href;
        link.textContent = fact.text;
        if (fact.kind === "web") {
          link.target = "_blank";
          link.rel = "noopener noreferrer";
        }
        item.append(link);
      } else {
        item.textContent = fact.text;
      }
      facts.append(item);
    }
    section.append(name, facts);
    return section;
  }

  function addOwnMessage(text) {
    const article = document.createElement("article");
    article.className = "message own";
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (words.web_you || "Du") + ": ";
    const body = document.createElement("p");
    body.dir = "auto";
    body.textContent = text;
    article.append(who, body);
    log.append(article);
  }

  function showChoices(buttons) {
    const elements = buttons.map((button) => {
      const element = document.createElement("button");
      element.type = "button";
      element.className = "choice choice-" + button.kind + (button.action ? " action-" + button.action : "");
      element.dir = "auto";
      element.textContent = button.label;
      if (button.lang) element.lang = button.lang;
      element.addEventListener("click", (click) => {
        // A click from Enter or Space has no pointer position: detail is 0.
        const how = click.detail === 0 ? "keyboard" : "pointer";
        send({ type: "choice", token: button.token }, button.label, how, element);
      });
      return element;
    });
    choices.replaceChildren(...elements);
  }

  // An error shows in the typing row with the retry button; an empty text clears it.
  function setStatus(text, canRetry) {
    status.textContent = text || "";
    trouble.hidden = !text;
    retryButton.hidden = !canRetry;
  }

  // --- the person's input -------------------------------------------------------------------

  async function onSubmit(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    let sent;
    if (text.startsWith("/") && text.length > 1) {
      const [name, ...rest] = text.slice(1).split(" ");
      sent = send({ type: "command", name: name.slice(0, 32), arg: rest.join(" ").slice(0, 64) }, text, "input", sendButton);
    } else {
      sent = send({ type: "text", text }, text, "input", sendButton);
    }
    if (await sent) input.value = "";
  }

  function onLanguage() {
    const option = languageMenu.selectedOptions[0];
    if (option) send({ type: "choice", token: option.value }, null, null);
  }

  // The language changes when the person confirms a choice (a click or tap in the list, or
  // Enter), never on each arrow key or typed letter that moves through it (WCAG 3.2.2):
  // the page would turn to Arabic on the way from Svenska to Soomaali. Leaving the menu
  // without confirming keeps the language the page is in.
  let browsing = null; // the value the menu had when keys began to move through it

  function onLanguageKey(key) {
    if (key.key === "Enter") {
      key.preventDefault();
      const moved = browsing !== null && languageMenu.value !== browsing;
      browsing = null;
      if (moved) onLanguage();
      return;
    }
    if (key.key === "Escape" || key.key === "Tab") {
      undoBrowsing();
      return;
    }
    if (browsing === null) browsing = languageMenu.value;
  }

  function undoBrowsing() {
    if (browsing !== null) languageMenu.value = browsing;
    browsing = null;
  }

  function onLanguageChange() {
    if (browsing === null) onLanguage(); // a pointer's choice: confirmed by the click
  }

  // What is scrolled to stops clear of the sticky top and typing row as they really are:
  // in Arabic or Somali, or with large text, the 112 link wraps and the top grows.
  function keepClearOfBars() {
    const root = document.documentElement.style;
    const top = document.querySelector("header.top");
    const pad = () => {
      root.scrollPaddingBlockStart = `${top.offsetHeight + 8}px`;
      root.scrollPaddingBlockEnd = `${form.offsetHeight + 8}px`;
    };
    pad();
    if (typeof ResizeObserver === "function") {
      const watch = new ResizeObserver(pad);
      watch.observe(top);
      watch.observe(form);
    }
  }

  function start() {
    keepClearOfBars();
    exitLink.addEventListener("click", quickExit);
    byId("skip-exit").addEventListener("click", quickExit);
    document.addEventListener("keydown", onKeyDown, true);
    form.addEventListener("submit", onSubmit);
    languageMenu.addEventListener("change", onLanguageChange);
    languageMenu.addEventListener("keydown", onLanguageKey);
    languageMenu.addEventListener("blur", undoBrowsing);
    retryButton.addEventListener("click", retry);
    for (const element of document.querySelectorAll("[data-text]")) {
      words[element.dataset.text] = element.textContent;
    }
    for (const element of document.querySelectorAll("[data-label]")) {
      words[element.dataset.label] = element.getAttribute("aria-label");
    }
    words.web_error = status.dataset.error;
    words.web_slow_down = status.dataset.slowDown;
    words.web_quick_exit_two_more = exitCount.dataset.twoMore;
    words.web_quick_exit_one_more = exitCount.dataset.oneMore;
    explainExitOnce();
    // A link such as /?start=m-0480 presets the municipality (or ?start=ar the language).
    const preset = new URLSearchParams(window.location.search).get("start") || "";
    send({ type: "start", payload: preset }, null, null);
  }

  start();
})();
