"""``tf.image``: image decoding/encoding, resizing, cropping, flips and color adjustments.

A thin namespace over :mod:`tensorslim.data.image_ops`.
"""
from tensorslim.data.image_ops import (ResizeMethod, adjust_brightness, adjust_contrast,
                                       adjust_gamma, adjust_hue, adjust_saturation,
                                       central_crop, convert_image_dtype, crop_to_bounding_box,
                                       decode_bmp, decode_gif, decode_image, decode_jpeg,
                                       decode_png, encode_jpeg, encode_png, extract_jpeg_shape,
                                       flip_left_right, flip_up_down, grayscale_to_rgb,
                                       hsv_to_rgb, pad_to_bounding_box,
                                       per_image_standardization, random_brightness,
                                       random_contrast, random_crop, random_flip_left_right,
                                       random_flip_up_down, random_hue, random_saturation,
                                       resize, resize_area, resize_bicubic, resize_bilinear,
                                       resize_image_with_crop_or_pad, resize_images,
                                       resize_nearest_neighbor, rgb_to_grayscale, rgb_to_hsv,
                                       rot90, transpose_image)

transpose = transpose_image

__all__ = [
    "ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
    "adjust_saturation", "central_crop", "convert_image_dtype", "crop_to_bounding_box",
    "decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
    "encode_png", "extract_jpeg_shape", "flip_left_right", "flip_up_down", "grayscale_to_rgb",
    "hsv_to_rgb", "pad_to_bounding_box", "per_image_standardization", "random_brightness",
    "random_contrast", "random_crop", "random_flip_left_right", "random_flip_up_down",
    "random_hue", "random_saturation", "resize", "resize_area", "resize_bicubic",
    "resize_bilinear", "resize_image_with_crop_or_pad", "resize_images",
    "resize_nearest_neighbor", "rgb_to_grayscale", "rgb_to_hsv", "rot90", "transpose",
    "transpose_image",
]
