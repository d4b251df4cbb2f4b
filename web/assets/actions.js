// Small page behaviours declared in the markup with data- attributes, so that no template holds an
// inline script or event handler (the Content-Security-Policy allows scripts from 'self' only):
//   <button data-print>                    prints the page
//   <select data-submit-on-change>         submits its form when the choice changes
//   <form data-confirm="question">         asks before submitting
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
