//! In-app notifications: `notifications_list`, `notifications_seen`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::ApiError;
use crate::notifications::Notification;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NotificationList {
    /// The newest [`LIST_CAP`] notifications, newest first.
    pub items: Vec<Notification>,
    /// Unseen among all of them (not only those listed).
    pub unseen: u32,
    /// All of them.
    pub total: u32,
}

/// The bell shows this many: a registry with thousands of cases would otherwise send
/// megabytes on every poll.
pub const LIST_CAP: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct NotificationIds {
    pub ids: Vec<String>,
    /// Every unseen notification, listed or not ("mark all as read").
    #[serde(default)]
    pub all: Option<bool>,
}

pub(super) fn notifications_list(ctx: &mut Context, _a: ()) -> Result<NotificationList, ApiError> {
    let now = ctx.now();
    let mut items = ctx.registry()?.notifications(now)?;
    let unseen = items.iter().filter(|n| !n.seen).count() as u32;
    let total = items.len() as u32;
    items.truncate(LIST_CAP);
    Ok(NotificationList { items, unseen, total })
}

pub(super) fn notifications_seen(ctx: &mut Context, a: NotificationIds) -> Result<NotificationList, ApiError> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let ids = if a.all.unwrap_or(false) {
        reg.notifications(now)?.into_iter().filter(|n| !n.seen).map(|n| n.id).collect()
    } else {
        a.ids
    };
    reg.mark_notifications_seen(&ids)?;
    notifications_list(ctx, ())
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UiLocaleArgs {
    pub locale: crate::notifications::UiLocale,
}

/// Records the language the user picked in the UI; desktop notifications follow it.
pub(super) fn ui_locale_set(ctx: &mut Context, a: UiLocaleArgs) -> Result<UiLocaleArgs, ApiError> {
    let reg = ctx.registry()?;
    reg.set_ui_locale(a.locale)?;
    Ok(UiLocaleArgs { locale: reg.ui_locale()? })
}
