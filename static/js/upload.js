// Proof checklist (templates/includes/proof_checklist.html): a chosen file is sent at once, with its progress, and
// the item comes back re-rendered by the server (thumbnail from the private document view, 重拍/重新选择, state).
// Focus stays on the item; what happened is said in the item's aria-live line. Without this script the form still
// works: the 上传 buttons stay, and any button of the form stores every chosen file (bindings.proofs).
(function () {
  "use strict";
  var form = document.querySelector("form[data-proof-form]");
  if (!form || typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined" || !form.closest) {
    return;
  }
  form.classList.add("proof-form-js"); // hall.css hides the [data-no-js] 上传 buttons
  var pending = 0;
  var waitingSubmitter = null;

  function token() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(item, text, isError) {
    var line = item.querySelector("[data-proof-msg]");
    if (!line) { return; }
    line.textContent = text;
    line.classList.toggle("proof-msg-error", Boolean(isError));
  }

  function refocus(item, id, documentId) {
    var target = (id && document.getElementById(id)) ||
      (documentId && document.getElementById("r-" + documentId)) ||
      item.querySelector("input[type=file]");
    if (target) { target.focus(); }
  }

  function settle() {
    pending -= 1;
    if (pending === 0 && waitingSubmitter) {
      var submitter = waitingSubmitter;
      waitingSubmitter = null;
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { submitter.click(); }
    }
  }

  function upload(input) {
    var file = input.files && input.files[0];
    var item = input.closest("[data-proof-item]");
    if (!file || !item) { return; }
    var body = item.querySelector("[data-proof-body]");
    var progress = item.querySelector("[data-proof-progress]");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token());
    data.append("action", "upload");
    data.append(input.name, file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token());
    if (progress) {
      progress.value = 0;
      progress.classList.remove("d-none");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { progress.value = Math.round((event.loaded * 100) / event.total); }
      });
    }
    pending += 1;
    item.setAttribute("aria-busy", "true");
    say(item, "正在上传，请稍候……", false);

    function done(answer) {
      item.removeAttribute("aria-busy");
      if (progress) { progress.classList.add("d-none"); }
      var id = input.id;
      if (answer && answer.html) {
        body.innerHTML = answer.html; // the same template the page was rendered with; the chosen file is gone
      } else {
        input.value = "";
      }
      if (answer && answer.ok) {
        say(item, answer.message, false);
      } else {
        say(item, (answer && answer.message) || "文件没有上传成功，请检查网络后重新选择。", true);
      }
      refocus(item, id, answer && answer.document && answer.document.id);
      settle();
    }

    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (error) { answer = null; }
      if (!answer && xhr.status === 413) {
        answer = { ok: false, message: "文件太大，请压缩或重新拍摄后上传。" };
      } else if (!answer) {
        answer = { ok: false, message: "文件没有上传成功，请刷新页面后重新选择（可能已超时退出登录）。" };
      }
      done(answer);
    });
    xhr.addEventListener("error", function () {
      done({ ok: false, message: "网络中断，文件没有上传，请重新选择。" });
    });
    xhr.send(data);
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[type=file][data-proof-input]")) {
      upload(target);
    }
  });

  // 下一步 (or any button) while a file is still on its way: wait for it, then go on as asked.
  form.addEventListener("submit", function (event) {
    if (pending > 0) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      var busy = form.querySelector("[data-proof-item][aria-busy=true]");
      if (busy) { say(busy, "正在上传，上传完成后自动继续……", false); }
    }
  });
})();
