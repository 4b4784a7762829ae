import { Typography } from "antd";
import type { ReactNode } from "react";

/** Title and one-line explanation at the top of each screen. */
export function PageHeader({ title, hint, extra }: { title: string; hint?: string; extra?: ReactNode }) {
  return (
    <div className="lg-page-header">
      <div>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {hint && <Typography.Text type="secondary">{hint}</Typography.Text>}
      </div>
      {extra}
    </div>
  );
}
