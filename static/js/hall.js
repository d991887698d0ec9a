// Small behaviours that templates ask for with data attributes, so that no page needs an inline script
// (the Content-Security-Policy allows scripts from our own static files only).
//   <form data-confirm="确定……吗？">  asks before submitting
//   <button type="button" data-print>   opens the print dialog
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
