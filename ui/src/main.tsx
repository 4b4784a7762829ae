import React from "react";
import ReactDOM from "react-dom/client";
import { App } from "./app/App";
import { captureToken, isTauri } from "./api/transport";
import "./app/app.css";

if (!isTauri()) captureToken();

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
