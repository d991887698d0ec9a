// Face sign-in: show the camera, count down the liveness prompt, capture one frame into the form's file input.
(function () {
  "use strict";
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var left = parseInt(countdown.dataset.seconds, 10) || 0;
    var timer = setInterval(function () {
      left = Math.max(0, left - 1);
      countdown.textContent = left;
      if (left === 0) {
        clearInterval(timer);
        var prompt = document.getElementById("face-prompt");
        if (prompt) { prompt.textContent = "已超时，请重新开始人脸识别"; }
      }
    }, 1000);
  }
  var video = document.getElementById("face-video");
  var button = document.getElementById("capture-btn");
  var form = document.getElementById("face-form");
  var input = document.getElementById("id_photo");
  if (!video || !button || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof DataTransfer === "undefined") {
    return; // the upload fallback stays
  }
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (stream) {
    video.srcObject = stream;
    video.classList.remove("d-none");
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var canvas = document.getElementById("face-canvas");
      canvas.width = video.videoWidth || 480;
      canvas.height = video.videoHeight || 640;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      button.disabled = true;
      canvas.toBlob(function (blob) {
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "capture.jpg", { type: "image/jpeg" }));
        input.files = transfer.files;
        stream.getTracks().forEach(function (track) { track.stop(); });
        form.submit();
      }, "image/jpeg", 0.9);
    });
  }).catch(function () { /* permission refused or no camera: the upload fallback stays */ });
})();
