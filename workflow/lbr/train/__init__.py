"""Training loops: data resident on the device, batched on-device augmentation."""
