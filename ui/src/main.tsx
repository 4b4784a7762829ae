import React from "react";
import ReactDOM from "react-dom/client";

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <div>撞单卫士 Leadguard</div>
  </React.StrictMode>,
);
