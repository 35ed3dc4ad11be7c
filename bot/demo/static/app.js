// Promeneur demo page: draws the two private chats the emulator holds and acts as their users.
// Everything arrives over server-sent events (/api/events); actions are small JSON POSTs.
// Text is never parsed as HTML: messages are built node by node from text + Telegram entities.
"use strict";

(() => {
  const ERRORS = {
    empty_text: "Écris d’abord un message.",
    text_too_long: "Message trop long (4096 caractères au plus).",
    no_such_button: "Ce bouton n’est plus disponible.",
    no_such_message: "Ce message n’existe plus.",
    no_such_thread: "Ce fil n’existe plus.",
    not_editable: "Ce message ne peut pas être modifié.",
    no_more_educators: "Toute l’équipe de démo est déjà là.",
    unknown_scenario: "Scénario inconnu.",
    no_scenario: "Choisis d’abord un scénario.",
    busy: "Une étape est déjà en cours…",
    timeout: "Le bot n’a pas répondu comme prévu à cette étape. Tu peux réessayer ou continuer à la main.",
    no_educator: "Il faut au moins un·e éducateur·rice.",
    failed: "L’étape n’a pas pu être jouée.",
    network: "La démo ne répond pas. Est-elle toujours lancée ?",
  };
  const MEDIA_ICONS = {
    photo: "🖼️", video: "🎬", video_note: "⏺️", voice: "🎤", audio: "🎵", animation: "🎞️",
    document: "📄", sticker: "🙂", location: "📍", venue: "📍", contact: "👤", poll: "📊", dice: "🎲",
  };
  const SAFE_URL = /^(https?:|tg:|mailto:|tel:)/i;

  const state = {
    participants: new Map(),
    youthId: null,
    chats: new Map(),
    scenarios: [],
    player: null,
    canAddEducator: true,
    educatorId: null,
    threads: new Map(), // educator chat id -> selected thread id (null: general)
    unread: new Map(), // "chat:thread" -> count
    context: { youth: null, educator: null }, // {mode: "reply"|"edit", message}
  };

  const $ = (selector) => document.querySelector(selector);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };

  // ------------------------------------------------------------------ state helpers
  function chat(id) {
    let found = state.chats.get(id);
    if (!found) {
      found = { messages: new Map(), topics: new Map() };
      state.chats.set(id, found);
    }
    return found;
  }
  const educators = () => [...state.participants.values()].filter((p) => p.role === "educator");
  const currentThread = () => (state.educatorId === null ? null : state.threads.get(state.educatorId) ?? null);
  const paneChat = (pane) => (pane === "youth" ? state.youthId : state.educatorId);
  function paneOfChat(chatId) {
    if (chatId === state.youthId) return "youth";
    if (chatId === state.educatorId) return "educator";
    return null;
  }
  const unreadKey = (chatId, thread) => `${chatId}:${thread ?? "general"}`;

  // ------------------------------------------------------------------ server
  class ApiError extends Error {
    constructor(code, data) { super(code); this.code = code; this.data = data; }
  }
  async function api(path, body = {}) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError("network");
    }
    let data = {};
    try { data = await response.json(); } catch (error) { /* empty body */ }
    if (!response.ok || data.ok === false) throw new ApiError(data.error || "failed", data);
    return data;
  }
  const errorText = (error) => ERRORS[error.code] || ERRORS.failed;

  function connect() {
    const source = new EventSource("/api/events");
    source.onopen = () => { $("#connection").textContent = ""; };
    source.onerror = () => { $("#connection").textContent = "Connexion perdue, reconnexion…"; };
    source.onmessage = (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (error) { return; }
      handle(data);
    };
  }

  function handle(event) {
    switch (event.type) {
      case "snapshot": applySnapshot(event.state); break;
      case "message": upsertMessage(event.chat_id, event.message); break;
      case "topic": upsertTopic(event.chat_id, event.topic, event.action); break;
      case "toast": if (event.text) toast(paneOfChat(event.chat_id), event.text); break;
      case "typing": typing(paneOfChat(event.chat_id), event); break;
      case "scenario": state.player = event.player; renderPlayer(); break;
      default: break;
    }
  }

  function applySnapshot(snapshot) {
    state.participants = new Map(snapshot.participants.map((p) => [p.id, p]));
    state.youthId = snapshot.youth;
    state.chats = new Map();
    for (const [id, view] of Object.entries(snapshot.chats)) {
      const target = chat(Number(id));
      for (const message of view.messages) target.messages.set(message.message_id, message);
      for (const topic of view.topics) target.topics.set(topic.thread_id, topic);
    }
    state.scenarios = snapshot.scenarios || [];
    state.player = snapshot.player || null;
    state.canAddEducator = snapshot.can_add_educator;
    const team = educators();
    if (!team.some((p) => p.id === state.educatorId)) state.educatorId = team.length ? team[0].id : null;
    for (const name of document.querySelectorAll(".bot-name")) name.textContent = snapshot.bot.name;
    renderAll();
  }

  function upsertMessage(chatId, message) {
    const target = chat(chatId);
    const isNew = !target.messages.has(message.message_id);
    target.messages.set(message.message_id, message);
    const pane = paneOfChat(chatId);
    const participant = state.participants.get(chatId);
    const thread = message.thread_id ?? null;
    if (isNew && message.from_bot && message.service === undefined && participant && participant.role === "educator") {
      if (!(pane === "educator" && currentThread() === thread)) {
        const key = unreadKey(chatId, thread);
        state.unread.set(key, (state.unread.get(key) || 0) + 1);
      }
    }
    if (pane) showMessage(pane, message);
    if (participant && participant.role === "educator") {
      renderTopics();
      renderPicker();
    }
  }

  function upsertTopic(chatId, topic, action) {
    const target = chat(chatId);
    target.topics.set(topic.thread_id, topic);
    if (action === "created" && chatId === state.educatorId) {
      // The bot opened a conversation here: show it, as a person would tap it.
      const log = $("#educator-log");
      const hadFocus = log.contains(document.activeElement);
      state.threads.set(chatId, topic.thread_id);
      state.unread.delete(unreadKey(chatId, topic.thread_id));
      renderLog("educator");
      if (hadFocus) $("#educator-input").focus();
    } else if (topic.deleted && state.threads.get(chatId) === topic.thread_id) {
      state.threads.set(chatId, null);
      renderLog("educator");
    }
    renderTopics();
    renderComposer("educator");
  }

  // ------------------------------------------------------------------ rendering
  function renderAll() {
    const youth = state.participants.get(state.youthId);
    $("#youth-who").textContent = youth ? `${youth.name} · sa conversation privée avec le bot` : "";
    renderPicker();
    renderTopics();
    renderLog("youth");
    renderLog("educator");
    renderComposer("youth");
    renderComposer("educator");
    renderScenarios();
    renderPlayer();
    $("#add-educator").disabled = !state.canAddEducator;
  }

  function renderPicker() {
    const select = $("#educator-picker");
    const team = educators();
    const focused = document.activeElement === select;
    select.replaceChildren(
      ...team.map((p) => {
        const unread = [...state.unread.entries()]
          .filter(([key]) => key.startsWith(`${p.id}:`))
          .reduce((sum, [, count]) => sum + count, 0);
        const label = unread && p.id !== state.educatorId ? `${p.label} (${unread} non lu${unread > 1 ? "s" : ""})` : p.label;
        return el("option", { value: p.id, selected: p.id === state.educatorId }, label);
      }),
    );
    select.disabled = team.length < 2;
    if (focused) select.focus();
  }

  function renderTopics() {
    const list = $("#topic-list");
    const focusedThread = list.contains(document.activeElement) ? document.activeElement.dataset.thread : undefined;
    list.replaceChildren();
    if (state.educatorId === null) return;
    const topics = [...chat(state.educatorId).topics.values()].filter((t) => !t.deleted);
    const items = [{ thread_id: null, name: "Général" }, ...topics];
    const current = currentThread();
    for (const topic of items) {
      const count = state.unread.get(unreadKey(state.educatorId, topic.thread_id)) || 0;
      const button = el(
        "button",
        {
          type: "button",
          class: `topic${topic.closed ? " topic--closed" : ""}`,
          "aria-current": topic.thread_id === current ? "true" : "false",
          "data-thread": topic.thread_id ?? "general",
          onclick: () => selectThread(topic.thread_id),
        },
        el("span", { "aria-hidden": "true" }, topic.thread_id === null ? "#" : "💬"),
        el("span", { class: "topic__name", title: topic.name }, topic.name),
        topic.closed ? el("span", { class: "sr-only" }, " (fermé)") : null,
        count ? el("span", { class: "topic__unread" }, String(count), el("span", { class: "sr-only" }, " non lu" + (count > 1 ? "s" : ""))) : null,
      );
      list.append(el("li", {}, button));
    }
    if (focusedThread !== undefined) {
      const again = list.querySelector(`[data-thread="${focusedThread}"]`);
      if (again) again.focus();
    }
  }

  function selectThread(thread) {
    state.threads.set(state.educatorId, thread);
    state.unread.delete(unreadKey(state.educatorId, thread));
    state.context.educator = null;
    renderTopics();
    renderPicker();
    renderLog("educator");
    renderComposer("educator");
  }

  function threadName(thread) {
    if (thread === null) return "Général";
    const topic = chat(state.educatorId).topics.get(thread);
    return topic ? topic.name : "ce fil";
  }

  function visibleMessages(pane) {
    const chatId = paneChat(pane);
    if (chatId === null) return [];
    let messages = [...chat(chatId).messages.values()].sort((a, b) => a.message_id - b.message_id);
    if (pane === "educator") {
      const thread = currentThread();
      messages = messages.filter((m) => (m.thread_id ?? null) === thread);
    }
    return messages;
  }

  function renderLog(pane) {
    const log = $(`#${pane}-log`);
    const messages = visibleMessages(pane);
    log.replaceChildren(...messages.map((m) => buildMessage(pane, m)));
    if (!messages.length) log.append(emptyState(pane));
    log.scrollTop = log.scrollHeight;
  }

  function emptyState(pane) {
    if (pane === "youth") {
      return el(
        "div",
        { class: "empty" },
        el("p", {}, "Un·e jeune découvre le bot. Sur Telegram, on appuie sur « Démarrer »."),
        el("button", { type: "button", class: "btn", onclick: () => sendText("youth", "/start") }, "Démarrer"),
      );
    }
    return el("p", { class: "empty" }, "Aucun message dans ce fil.");
  }

  function showMessage(pane, message) {
    if (pane === "educator" && (message.thread_id ?? null) !== currentThread()) return;
    const log = $(`#${pane}-log`);
    const key = `m-${message.message_id}`;
    const existing = log.querySelector(`[data-key="${key}"]`);
    const node = buildMessage(pane, message);
    if (existing) {
      const active = document.activeElement;
      const focusKey = existing.contains(active) ? active.dataset.key : null;
      existing.replaceWith(node);
      if (focusKey) {
        const again = node.querySelector(`[data-key="${focusKey}"]`);
        (again || log).focus();
      } else if (existing.contains(active) || active === document.body) {
        // nothing to restore
      }
      return;
    }
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    const empty = log.querySelector(".empty");
    if (empty) empty.remove();
    const after = [...log.children].find((child) => Number(child.dataset.id) > message.message_id);
    log.insertBefore(node, after || null);
    if (nearBottom || !message.from_bot) log.scrollTop = log.scrollHeight;
  }

  function time(seconds) {
    return new Date(seconds * 1000).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  }

  function buildMessage(pane, message) {
    const key = `m-${message.message_id}`;
    if (message.service !== undefined) {
      return el("p", { class: "service", "data-key": key, "data-id": message.message_id }, message.service);
    }
    const mine = !message.from_bot;
    const bubble = el("div", { class: "bubble" });
    bubble.append(el("span", { class: "sr-only" }, mine ? "Tu as écrit : " : `${message.sender} a écrit : `));
    if (message.reply_to) {
      const who = message.reply_to.sender === "bot" ? "Promeneur" : message.reply_to.sender;
      bubble.append(el("span", { class: "quote" }, el("span", { class: "sr-only" }, "En réponse à "), `${who} : ${message.reply_to.text}`));
    }
    if (message.deleted) {
      bubble.append("Message supprimé");
    } else {
      if (message.media) bubble.append(buildMedia(message.media));
      if (message.text) bubble.append(renderText(pane, message.text, message.entities || []));
    }
    const node = el(
      "div",
      { class: `msg${mine ? " msg--out" : ""}${message.deleted ? " msg--deleted" : ""}`, "data-key": key, "data-id": message.message_id },
      bubble,
    );
    if (!message.deleted && message.buttons && message.buttons.length) node.append(buildKeyboard(pane, message));
    const meta = el("div", { class: "meta" }, el("time", {}, time(message.date)));
    if (message.edited) meta.append(el("span", {}, "modifié"));
    if (!message.deleted) {
      meta.append(
        el("button", {
          type: "button", class: "act", "data-key": `r-${message.message_id}`,
          "aria-label": "Répondre à ce message", onclick: () => setContext(pane, "reply", message),
        }, "Répondre"),
      );
      if (mine && message.kind === "text") {
        meta.append(
          el("button", {
            type: "button", class: "act", "data-key": `e-${message.message_id}`,
            "aria-label": "Modifier ce message", onclick: () => setContext(pane, "edit", message),
          }, "Modifier"),
        );
      }
    }
    node.append(meta);
    return node;
  }

  function buildMedia(media) {
    const detail = media.filename || media.emoji || (media.duration ? `${media.duration} s` : "");
    return el(
      "span",
      { class: "media" },
      el("span", { class: "media__icon", "aria-hidden": "true" }, MEDIA_ICONS[media.kind] || "📎"),
      el("span", {}, `${media.label} (simulé)${detail ? ` · ${detail}` : ""}`),
    );
  }

  function buildKeyboard(pane, message) {
    const keyboard = el("div", { class: "keyboard", role: "group", "aria-label": "Boutons du message" });
    message.buttons.forEach((row, i) => {
      const line = el("div", { class: "keyboard__row" });
      row.forEach((button, j) => {
        const key = `b-${message.message_id}-${i}-${j}`;
        if (button.url && SAFE_URL.test(button.url)) {
          line.append(el("a", { class: "kbtn", href: button.url, target: "_blank", rel: "noopener noreferrer", "data-key": key }, button.text));
        } else if (button.data !== undefined) {
          const node = el("button", { type: "button", class: "kbtn", "data-key": key }, button.text);
          node.addEventListener("click", () => press(pane, message, button.data, node));
          line.append(node);
        } else {
          line.append(el("span", { class: "kbtn" }, button.text));
        }
      });
      keyboard.append(line);
    });
    return keyboard;
  }

  // Telegram entities (UTF-16 offsets, as JavaScript strings) → nested elements.
  function renderText(pane, text, entities) {
    const fragment = document.createDocumentFragment();
    if (!entities.length) {
      fragment.append(text);
      return fragment;
    }
    const points = new Set([0, text.length]);
    for (const e of entities) {
      points.add(Math.max(0, Math.min(text.length, e.offset)));
      points.add(Math.max(0, Math.min(text.length, e.offset + e.length)));
    }
    const sorted = [...points].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length - 1; i += 1) {
      const start = sorted[i];
      const end = sorted[i + 1];
      let node = document.createTextNode(text.slice(start, end));
      const active = entities.filter((e) => e.offset <= start && e.offset + e.length >= end);
      for (const entity of active.reverse()) node = wrap(pane, node, entity, text);
      fragment.append(node);
    }
    return fragment;
  }

  function wrap(pane, inner, entity, text) {
    const whole = text.slice(entity.offset, entity.offset + entity.length);
    const tags = { bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "code" };
    if (tags[entity.type]) return el(tags[entity.type], {}, inner);
    if (entity.type === "blockquote" || entity.type === "expandable_blockquote") return el("blockquote", {}, inner);
    if (entity.type === "spoiler") return el("span", { class: "spoiler", tabindex: 0 }, inner);
    let href = null;
    if (entity.type === "text_link") href = entity.url;
    else if (entity.type === "url") href = /^[a-z]+:/i.test(whole) ? whole : `https://${whole}`;
    else if (entity.type === "email") href = `mailto:${whole}`;
    else if (entity.type === "phone_number") href = `tel:${whole.replace(/\s+/g, "")}`;
    if (href && SAFE_URL.test(href)) return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, inner);
    if (entity.type === "bot_command") {
      // As in Telegram: tapping a command sends it.
      return el("button", { type: "button", class: "cmd", onclick: () => sendText(pane, whole.split("@")[0]) }, inner);
    }
    return inner;
  }

  function renderComposer(pane) {
    const context = state.context[pane];
    const box = $(`#${pane}-context`);
    const input = $(`#${pane}-input`);
    if (pane === "educator") {
      const name = threadName(currentThread());
      const thread = currentThread();
      input.placeholder =
        state.educatorId === null ? "Aucun·e éducateur·rice" : thread === null ? "Écris dans Général…" : "Réponds dans ce fil…";
      $("label[for=educator-input]").textContent = `Message de l’éducateur·rice dans le fil « ${name} »`;
    }
    if (!context) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const label = context.mode === "edit" ? "Modification de ton message" : "Réponse à";
    const excerpt = (context.message.text || (context.message.media ? context.message.media.label : "")).slice(0, 80);
    box.replaceChildren(
      el("span", {}, `${label} : « ${excerpt} »`),
      el("button", { type: "button", onclick: () => setContext(pane, null) }, "Annuler"),
    );
    box.hidden = false;
  }

  function setContext(pane, mode, message) {
    state.context[pane] = mode ? { mode, message } : null;
    const input = $(`#${pane}-input`);
    if (mode === "edit") input.value = message.text || "";
    if (!mode && input.value && state.context[pane] === null) { /* keep what was typed */ }
    renderComposer(pane);
    input.focus();
  }

  // ------------------------------------------------------------------ toasts, typing
  const timers = {};
  function toast(pane, text) {
    if (!pane) return;
    const box = $(`#${pane}-toast`);
    box.textContent = text;
    box.classList.add("is-visible");
    clearTimeout(timers[`toast-${pane}`]);
    timers[`toast-${pane}`] = setTimeout(() => box.classList.remove("is-visible"), 3500);
  }

  function typing(pane, event) {
    if (!pane || event.action !== "typing") return;
    const status = $(`#${pane}-status`);
    const idle = pane === "youth" ? "bot" : "bot · fils de discussion";
    status.textContent = "écrit…";
    clearTimeout(timers[`typing-${pane}`]);
    timers[`typing-${pane}`] = setTimeout(() => { status.textContent = idle; }, 4000);
  }

  // ------------------------------------------------------------------ acting
  async function sendText(pane, text) {
    const userId = paneChat(pane);
    if (userId === null) return false;
    const context = state.context[pane];
    try {
      if (context && context.mode === "edit") {
        await api("/api/edit", { user_id: userId, message_id: context.message.message_id, text });
      } else {
        await api("/api/send", {
          user_id: userId,
          text,
          thread_id: pane === "educator" ? currentThread() : null,
          reply_to: context && context.mode === "reply" ? context.message.message_id : null,
        });
      }
    } catch (error) {
      toast(pane, errorText(error));
      return false;
    }
    state.context[pane] = null;
    renderComposer(pane);
    return true;
  }

  async function sendMedia(pane, kind) {
    const userId = paneChat(pane);
    if (userId === null) return;
    try {
      await api("/api/media", { user_id: userId, kind, thread_id: pane === "educator" ? currentThread() : null });
    } catch (error) {
      toast(pane, errorText(error));
    }
  }

  async function press(pane, message, data, node) {
    node.setAttribute("aria-busy", "true");
    try {
      await api("/api/press", { user_id: paneChat(pane), message_id: message.message_id, data });
    } catch (error) {
      toast(pane, errorText(error));
    } finally {
      node.removeAttribute("aria-busy");
    }
  }

  function setupComposer(pane) {
    const form = $(`#${pane}-form`);
    const input = $(`#${pane}-input`);
    const grow = () => {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight, 128)}px`;
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) {
        toast(pane, ERRORS.empty_text);
        return;
      }
      if (await sendText(pane, text)) {
        input.value = "";
        grow();
      }
      input.focus();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === "Escape" && state.context[pane]) {
        setContext(pane, null);
      }
    });
    input.addEventListener("input", grow);
    for (const button of form.querySelectorAll("[data-media]")) {
      button.addEventListener("click", () => {
        button.closest("details").open = false;
        sendMedia(pane, button.dataset.media);
      });
    }
    form.querySelector("details").addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.currentTarget.open = false;
        event.currentTarget.querySelector("summary").focus();
      }
    });
  }

  // ------------------------------------------------------------------ scenarios
  function renderScenarios() {
    const list = $("#scenario-list");
    const current = state.player && state.player.scenario;
    list.replaceChildren(
      ...state.scenarios.map((scenario) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: `btn ${scenario.id === current ? "" : "btn--quiet "}scenario-card`,
              "aria-pressed": scenario.id === current ? "true" : "false",
              "data-scenario": scenario.id,
              onclick: () => startScenario(scenario.id),
            },
            scenario.title,
            el("span", {}, scenario.summary),
          ),
        ),
      ),
    );
  }

  function renderPlayer() {
    renderScenarios();
    const box = $("#scenario-player");
    const player = state.player;
    const scenario = player && player.scenario ? state.scenarios.find((s) => s.id === player.scenario) : null;
    if (!scenario) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    $("#scenario-title").textContent = scenario.title;
    $("#scenario-steps").replaceChildren(
      ...scenario.steps.map((step, index) =>
        el(
          "li",
          {
            class: index < player.position ? "is-done" : "",
            "aria-current": index === player.position && !player.done ? "step" : null,
          },
          step.note,
          el("span", { class: "step-label" }, step.label),
        ),
      ),
    );
    const current = $("#scenario-steps").querySelector('[aria-current="step"]');
    if (current) {
      const list = $("#scenario-steps");
      list.scrollTop = Math.max(0, current.offsetTop - list.offsetTop - 40);
    }
    const busy = player.busy || player.autoplay;
    $("#scenario-step").disabled = busy || player.done;
    $("#scenario-play").disabled = busy || player.done;
    const status = $("#scenario-status");
    status.classList.toggle("is-error", Boolean(player.error));
    if (player.error) status.textContent = ERRORS[player.error] || ERRORS.failed;
    else if (player.busy) status.textContent = `Étape ${player.position + 1} sur ${player.total} en cours…`;
    else if (player.done) status.textContent = "Scénario terminé. Continue à écrire, ou choisis-en un autre.";
    else status.textContent = `Prochaine étape : ${player.position + 1} sur ${player.total}.`;
  }

  async function startScenario(id) {
    try {
      await api("/api/scenario/start", { id });
      $("#scenario-step").focus();
    } catch (error) {
      $("#scenario-status").textContent = errorText(error);
    }
  }

  async function scenarioAction(path) {
    try {
      await api(path);
    } catch (error) {
      if (error.data && error.data.player) {
        state.player = error.data.player;
        renderPlayer();
      } else {
        $("#scenario-status").textContent = errorText(error);
      }
    }
  }

  // ------------------------------------------------------------------ start
  function setup() {
    setupComposer("youth");
    setupComposer("educator");
    $("#educator-picker").addEventListener("change", (event) => {
      state.educatorId = Number(event.target.value);
      state.context.educator = null;
      state.unread.delete(unreadKey(state.educatorId, currentThread()));
      renderPicker();
      renderTopics();
      renderLog("educator");
      renderComposer("educator");
    });
    $("#add-educator").addEventListener("click", async () => {
      try {
        const { educator } = await api("/api/educators");
        toast("educator", `${educator.name} a rejoint l’équipe, disponible. Son compte : menu « Compte ».`);
      } catch (error) {
        toast("educator", errorText(error));
      }
    });
    $("#new-youth").addEventListener("click", async () => {
      try {
        await api("/api/youth");
        $("#youth-input").focus();
      } catch (error) {
        toast("youth", errorText(error));
      }
    });
    $("#scenario-step").addEventListener("click", () => scenarioAction("/api/scenario/step"));
    $("#scenario-play").addEventListener("click", () => scenarioAction("/api/scenario/play"));
    $("#scenario-stop").addEventListener("click", () => scenarioAction("/api/scenario/stop"));
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
