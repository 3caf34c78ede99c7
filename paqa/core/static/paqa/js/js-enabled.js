// Marks the page as having JavaScript before it paints (GOV.UK Frontend's js-enabled class).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
