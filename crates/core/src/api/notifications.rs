//! In-app notifications: `notifications_list`, `notifications_seen`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::ApiError;
use crate::notifications::Notification;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub unseen: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NotificationIds {
    pub ids: Vec<String>,
}

pub(super) fn notifications_list(ctx: &mut Context, _a: ()) -> Result<NotificationList, ApiError> {
    let now = ctx.now();
    let items = ctx.registry()?.notifications(now)?;
    let unseen = items.iter().filter(|n| !n.seen).count() as u32;
    Ok(NotificationList { items, unseen })
}

pub(super) fn notifications_seen(ctx: &mut Context, a: NotificationIds) -> Result<NotificationList, ApiError> {
    ctx.registry()?.mark_notifications_seen(&a.ids)?;
    notifications_list(ctx, ())
}
