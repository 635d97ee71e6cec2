// The lesson player. It opens a study session, then reports the position on a heartbeat. The server
// decides how much time counts (never more than really passed between its heartbeats); the player only
// shows what the server says. A document lesson advances one second per second while the page is
// visible and not paused; a video lesson reports the video's position and cannot seek past what the
// server has credited.
(() => {
  "use strict";
  const root = document.getElementById("player");
  if (!root) return;

  const durationSeconds = Number(root.dataset.duration);
  const intervalMs = Number(root.dataset.interval) || 5000;
  const retryMs = 2000;
  const video = root.querySelector("[data-player-video]");
  const progressBar = root.querySelector("[data-player-progress]");
  const watchedLabel = root.querySelector("[data-player-watched]");
  const statusLine = root.querySelector("[data-player-status]");
  const doneBox = root.querySelector("[data-player-done]");
  const errorBox = root.querySelector("[data-player-error]");
  const toggle = root.querySelector("[data-player-toggle]");
  const csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");

  let token = null;
  let position = 0; // where the learner is (seconds)
  let watched = 0; // what the server has credited (seconds)
  let paused = false;
  let stopped = false;
  let sending = false;
  let lastSent = 0;
  let ticker = null;

  const text = (element, value) => { if (element) element.textContent = value; };

  function csrfToken() {
    if (csrfInput) return csrfInput.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    return { ok: response.ok, status: response.status, data };
  }

  function detailOf(data) {
    if (!data) return "";
    if (typeof data.detail === "string") return data.detail;
    if (Array.isArray(data.detail)) return data.detail.join(" ");
    return Object.values(data).flat().join(" ");
  }

  function showError(message) {
    stopped = true;
    if (ticker) clearInterval(ticker);
    if (video) video.pause();
    if (toggle) toggle.disabled = true;
    errorBox.textContent = message;
    errorBox.classList.remove("d-none");
    text(statusLine, "");
  }

  function render() {
    if (progressBar) progressBar.value = Math.round(watched * 1000);
    text(watchedLabel, String(Math.floor(watched)));
  }

  function finish() {
    stopped = true;
    if (ticker) clearInterval(ticker);
    if (toggle) toggle.disabled = true;
    text(statusLine, "");
    doneBox.classList.remove("d-none");
    root.dataset.state = "done";
  }

  async function beat() {
    if (!token || sending || stopped) return;
    sending = true;
    lastSent = Date.now();
    try {
      const result = await post(root.dataset.heartbeatUrl, { token, position });
      if (result.status === 409 || !result.data.accepted) {
        showError(detailOf(result.data) || "学习会话已失效，请刷新页面。");
        return;
      }
      watched = result.data.watched_seconds;
      render();
      if (result.data.lesson_completed || watched >= durationSeconds) {
        finish();
        return;
      }
      if (video && video.currentTime > watched + 2) {
        video.currentTime = watched; // no skipping ahead of what has been watched
      }
      text(statusLine, paused ? "已暂停" : "学习中，学习时长由服务器计时");
    } catch (error) {
      text(statusLine, "网络连接中断，恢复后将继续计时。");
    } finally {
      sending = false;
    }
  }

  function isPlaying() {
    if (video) return !video.paused && !video.ended;
    return !paused && document.visibilityState === "visible";
  }

  function tick() {
    if (stopped) return;
    if (video) {
      position = Math.min(video.currentTime, durationSeconds);
    } else if (isPlaying() && position < durationSeconds) {
      position = Math.min(position + 1, durationSeconds);
    }
    const atEnd = position >= durationSeconds;
    const due = Date.now() - lastSent >= (atEnd ? retryMs : intervalMs);
    if ((isPlaying() || atEnd) && due) beat();
  }

  async function open() {
    const result = await post(root.dataset.openUrl, {});
    if (!result.ok) {
      showError(detailOf(result.data) || "无法开始学习，请刷新页面后重试。");
      return;
    }
    token = result.data.token;
    watched = result.data.watched_seconds;
    position = result.data.is_completed ? 0 : result.data.position;
    render();
    if (result.data.is_completed) {
      finish();
      return;
    }
    lastSent = Date.now();
    if (video) {
      video.currentTime = position;
      video.addEventListener("seeking", () => {
        if (video.currentTime > watched + 2) video.currentTime = watched;
      });
      video.addEventListener("pause", () => { position = video.currentTime; beat(); });
      video.addEventListener("ended", () => { position = durationSeconds; beat(); });
      text(statusLine, "点击播放开始学习");
    } else {
      if (toggle) toggle.disabled = false;
      text(statusLine, "学习中，学习时长由服务器计时");
    }
    ticker = setInterval(tick, 1000);
  }

  if (toggle) {
    toggle.addEventListener("click", () => {
      paused = !paused;
      toggle.textContent = paused ? toggle.dataset.labelResume : toggle.dataset.labelPause;
      text(statusLine, paused ? "已暂停" : "学习中，学习时长由服务器计时");
      if (paused) beat();
    });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && token && !stopped) beat();
  });

  open();
})();
