// Small behaviours that templates ask for with data attributes, so that no page needs an inline script
// (the Content-Security-Policy allows scripts from our own static files only).
//   <form data-confirm="确定……吗？">  asks before submitting
//   <button type="button" data-print>   opens the print dialog
//   [data-error-summary]                the error summary after a failed submit takes focus; its links focus the field
//   <button data-sms-send data-sms-wait="57">  获取验证码: disabled, counting down the server's wait
//   <fieldset data-shown-when="care=inpatient">  hidden while another radio named "care" is chosen
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A second tap on 获取验证码 while the first request is on its way sends nothing more.
    var submitter = event.submitter;
    if (!event.defaultPrevented && submitter && submitter.hasAttribute("data-sms-send")) {
      window.setTimeout(function () {
        submitter.disabled = true;
        submitter.textContent = "正在发送……";
      }, 0);
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
      return;
    }
    var link = event.target && event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (link) {
      var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (field) {
        event.preventDefault();
        field.focus();
        if (field.scrollIntoView) { field.scrollIntoView({ block: "center" }); }
      }
    }
  });

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // The number of seconds is the server's (SMS_RESEND_INTERVAL, less what has passed): never a number of our own.
  Array.prototype.forEach.call(document.querySelectorAll("[data-sms-send]"), function (button) {
    var left = parseInt(button.getAttribute("data-sms-wait"), 10) || 0;
    if (left <= 0) { return; }
    var label = button.textContent;
    function tick() {
      if (left > 0) {
        button.disabled = true;
        button.textContent = left + "秒后重新获取";
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    }
    tick();
  });

  // Parts of a form that apply to one choice only (住院's slip, 门诊's items): shown for that choice.
  function syncShown() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-shown-when]"), function (part) {
      var rule = part.getAttribute("data-shown-when").split("=");
      var checked = document.querySelector('input[name="' + rule[0] + '"]:checked');
      part.hidden = !!checked && checked.value !== rule[1];
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name) { syncShown(); }
  });
  syncShown();
})();
